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
import { schema, type PermissionServiceConfig } from './config.js'
import checkerPlugin from './plugins/app/checker.js'
import cachePlugin from './plugins/external/cache.js'
import dbPlugin from './plugins/external/db.js'
import routes from './routes/index.js'

declare module 'fastify' {
  interface FastifyInstance {
    config: PermissionServiceConfig
  }
}

export interface BuildOptions {
  /** The environment to read; tests pass their own. Default `process.env`. */
  env?: Record<string, string | undefined>
}

/**
 * permission-service: config, then the shared kit (errors, OpenAPI, metrics, health), then the external
 * plugins (the cache, the database), then the app's (the check command), then the routes. Boots without Redis and
 * without the database.
 */
export async function buildApp(options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({ logger: loggerOptions(), logController: new RequestLogController(), return503OnClosing: true })
  // A request's logger is made when first used: a check never logs.
  lazyChildLoggers(app.log)
  const config = await registerConfig<PermissionServiceConfig>(app, { schema, env: options.env ?? process.env })
  app.log.level = config.LOG_LEVEL
  const serviceToken = resolveServiceToken(config, app.log)

  await app.register(errorHandlerPlugin)
  await app.register(openApiPlugin, {
    title: 'permission-service',
    version: '1.0.0',
    description:
      'May Battle.net user B use tool T in guild G? ' +
      'Answered from memory, Redis, then one indexed query; 503 rather than a guess.',
    security: { bearer: { description: 'SERVICE_TOKEN' } },
  })
  await app.register(cachePlugin)
  await app.register(metricsPlugin, { registries: [app.cache.metrics] })
  await app.register(dbPlugin)
  await app.register(checkerPlugin)
  await app.register(healthPlugin, {
    database: async () => app.checker.db.schemaReady && (await app.db.ping(1_000)),
    redis: () => app.cache.state(),
  })
  await app.register(routes, { serviceToken })
  return app
}
