import {
  errorHandlerPlugin,
  healthPlugin,
  lazyChildLoggers,
  loggerOptions,
  metricsPlugin,
  openApiPlugin,
  registerConfig,
  RequestLogController,
  resolveServiceToken,
} from '@guild/service-kit'
import Fastify, { type FastifyInstance } from 'fastify'
import { BODY_LIMIT_BYTES, schema, type GuildApiConfig } from './config.js'
import { refuseDevelopmentSettings } from './deployment-checks.js'
import { schemaErrorFormatter } from './schema-errors.js'
import { trustProxyOption } from './trust-proxy.js'
import battleNetPlugin from './plugins/app/battlenet.js'
import cookiesPlugin, { cookiePolicy } from './plugins/app/cookies.js'
import corsPlugin from './plugins/app/cors.js'
import csrfPlugin from './plugins/app/csrf.js'
import invalidationOutboxPlugin from './plugins/app/invalidation-outbox.js'
import permissionsPlugin from './plugins/app/permissions.js'
import rosterSyncPlugin from './plugins/app/roster-sync.js'
import sessionAuthPlugin from './plugins/app/session-auth.js'
import cachePlugin from './plugins/external/cache.js'
import dbPlugin from './plugins/external/db.js'
import routes from './routes/index.js'

declare module 'fastify' {
  interface FastifyInstance {
    config: GuildApiConfig
  }
}

export interface BuildOptions {
  /** The environment to read; tests pass their own. Default `process.env`. */
  env?: Record<string, string | undefined>
  /** First backoff between Battle.net retries when it sends no Retry-After (tests shorten it). */
  bnetBackoffMs?: number
  /** Where log lines go instead of stdout (tests read them). */
  logStream?: { write(line: string): void }
}

/**
 * guild-api: config; the shared kit (errors, OpenAPI before any route, metrics, health); the cache (never
 * waits for Redis) and the database (migrated before anything is served); CORS, cookies, the CSRF check,
 * Battle.net, sessions, the permission client; then the routes (the /auth/* ones rate-limited).
 */
export async function buildApp(options: BuildOptions = {}): Promise<FastifyInstance> {
  const env = options.env ?? process.env
  const app = Fastify({
    // Whose X-Forwarded-* to believe: request.ip (the rate limit's key) and request.protocol follow it.
    trustProxy: trustProxyOption(env.TRUST_PROXY),
    logger: options.logStream === undefined ? loggerOptions() : { ...loggerOptions(), stream: options.logStream },
    // Request lines only where the request's logger would write them (not on quiet routes).
    logController: new RequestLogController(),
    return503OnClosing: true,
    // Every route's body, unless the route sets its own (settings): 413 beyond.
    bodyLimit: BODY_LIMIT_BYTES,
    // Start-up waits for the database and runs migrations, which may queue behind another instance's.
    pluginTimeout: 120_000,
    // Bodies are taken as sent: "5" is not a rank and true is not a number. (Path and query values
    // are strings by nature; their schemas say so.) Unknown body fields are refused, not dropped.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } },
    schemaErrorFormatter,
  })
  // A request's logger is made when first used: most requests never log.
  lazyChildLoggers(app.log)
  const config = await registerConfig<GuildApiConfig>(app, { schema, env })
  app.log.level = config.LOG_LEVEL
  const serviceToken = resolveServiceToken(config, app.log)
  refuseDevelopmentSettings(config)

  await app.register(errorHandlerPlugin)
  await app.register(openApiPlugin, {
    title: 'guild-api',
    version: '1.0.0',
    description: 'Battle.net login, guild registration, roster sync, members, per-tool permissions and settings.',
    servers: [{ url: config.PUBLIC_URL, description: "guild-api's PUBLIC_URL" }],
    security: {
      bearer: { description: 'a session token: Authorization: Bearer <token>' },
      cookie: {
        name: cookiePolicy(config.PUBLIC_URL).session.name,
        description: 'the session cookie set by /auth/callback',
      },
    },
  })
  await app.register(cachePlugin)
  await app.register(metricsPlugin, { registries: [app.cache.metrics] })
  await app.register(dbPlugin)
  await app.register(invalidationOutboxPlugin)
  await app.register(healthPlugin, {
    database: async () => await app.db.ping(1_000),
    redis: () => app.cache.state(),
  })
  await app.register(corsPlugin)
  await app.register(cookiesPlugin, { serviceToken })
  await app.register(csrfPlugin)
  await app.register(battleNetPlugin, options.bnetBackoffMs === undefined ? {} : { backoffMs: options.bnetBackoffMs })
  await app.register(rosterSyncPlugin)
  await app.register(sessionAuthPlugin)
  await app.register(permissionsPlugin, { serviceToken })
  await app.register(routes)
  return app
}
