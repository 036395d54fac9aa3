import { fileURLToPath } from 'node:url'
import { loggerOptions, registerConfig } from '@guild/service-kit'
import Fastify, { type FastifyInstance } from 'fastify'
import { schema, type WebConfig } from './config.js'
import { staticSite } from './static-site.js'

export interface BuildOptions {
  env?: Record<string, string | undefined>
}

/** What every answer carries: the app talks to itself and to guild-api, and nothing frames it. */
function securityHeaders(apiUrl: string): Record<string, string> {
  const api = new URL(apiUrl).origin
  return {
    'content-security-policy':
      `default-src 'self'; connect-src 'self' ${api}; img-src 'self' data:; style-src 'self'; ` +
      `frame-ancestors 'none'; base-uri 'none'; form-action 'self' ${api}`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'strict-origin-when-cross-origin',
  }
}

/** The web app's server: the built files, `/config.json` from the environment, `/health/live`. */
export async function buildApp(options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({ logger: loggerOptions(), return503OnClosing: true })
  const config = await registerConfig<WebConfig>(app, { schema, env: options.env ?? process.env })
  app.log.level = config.LOG_LEVEL
  const headers = securityHeaders(config.GUILD_API_URL)
  app.addHook('onSend', async (_request, reply) => {
    void reply.headers(headers)
  })
  const apiUrl = config.GUILD_API_URL.replace(/\/+$/, '')
  // One build serves every environment: guild-api's address is read when the app starts.
  app.get('/config.json', async (_request, reply) => reply.header('cache-control', 'no-store').send({ apiUrl }))
  app.get('/health/live', async () => ({ status: 'ok' }))
  await staticSite(app, config.WEB_ROOT ?? fileURLToPath(new URL('../app', import.meta.url)))
  return app
}
