import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { BattleNetClient } from '../../battlenet/client.js'
import { RealmIndex } from '../../battlenet/realm-index.js'
import { BnetQuota } from '../../battlenet/quota.js'
import { rateLimitRedis } from './auth-rate-limit.js'

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
  // The quota's own connection, set up like the rate limiter's: a call never waits on Redis (the
  // in-memory insurance limiter counts while it is away), and start-up does not wait for it.
  const redis = rateLimitRedis({ url: config.REDIS_URL, clusterNodes: config.REDIS_CLUSTER_NODES })
  redis?.on('error', () => undefined)
  // A count that times out falls to the insurance limiter and may then be counted twice: wait longer than
  // the /auth limiter does, since a Battle.net call takes far longer anyway.
  if (redis !== undefined && 'commandTimeout' in redis.options) redis.options.commandTimeout = 2_000
  const quota = new BnetQuota({
    perSecond: config.BNET_RATE_PER_S,
    perHour: config.BNET_RATE_PER_HOUR,
    redis,
    processShare: 1 / config.BNET_RATE_INSTANCES,
  })
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
    quota,
    log: app.log,
    ...(options.backoffMs === undefined ? {} : { backoffMs: options.backoffMs }),
  })
  if (!bnet.configured)
    app.log.warn('BNET_CLIENT_ID / BNET_CLIENT_SECRET are not set: login and guild registration answer 503')
  app.decorate('bnet', bnet)
  app.decorate('realms', new RealmIndex(app.cache, async (region) => await bnet.realmIndex(region)))
  app.addHook('onClose', async () => {
    await bnet.close()
    redis?.disconnect()
  })
}

export default fp(battleNetPlugin, { name: 'battlenet', dependencies: ['cache'] })
