import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { BattleNetClient } from '../../battlenet/client.js'
import { RealmIndex } from '../../battlenet/realm-index.js'

declare module 'fastify' {
  interface FastifyInstance {
    bnet: BattleNetClient
    /** Battle.net's realm index, cached: realm names to slugs, and GET /realms. */
    realms: RealmIndex
  }
}

export interface BattleNetPluginOptions {
  /** Tests shorten the backoff between retries. */
  backoffMs?: number
}

async function battleNetPlugin(app: FastifyInstance, options: BattleNetPluginOptions): Promise<void> {
  const config = app.config
  const bnet = new BattleNetClient({
    clientId: config.BNET_CLIENT_ID,
    clientSecret: config.BNET_CLIENT_SECRET,
    oauthUrl: config.BNET_OAUTH_URL,
    apiUrl: config.BNET_API_URL,
    region: config.BNET_REGION,
    redirectUri: `${config.PUBLIC_URL.replace(/\/+$/, '')}/auth/callback`,
    timeoutMs: config.BNET_TIMEOUT_MS,
    maxRetries: config.BNET_MAX_RETRIES,
    cache: app.cache,
    ...(options.backoffMs === undefined ? {} : { backoffMs: options.backoffMs }),
  })
  if (!bnet.configured) app.log.warn('BNET_CLIENT_ID / BNET_CLIENT_SECRET are not set: login and guild registration answer 503')
  app.decorate('bnet', bnet)
  app.decorate('realms', new RealmIndex(app.cache, async (region) => await bnet.realmIndex(region)))
  app.addHook('onClose', async () => await bnet.close())
}

export default fp(battleNetPlugin, { name: 'battlenet', dependencies: ['cache'] })
