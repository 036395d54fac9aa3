import { STATUS_CODES } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import formbody from '@fastify/formbody'
import Fastify, { type FastifyInstance, type FastifyRequest, type FastifyServerOptions, LogController } from 'fastify'
import type { StandinContext } from './context.js'
import { ApiError, apiErrorBody, OAuthError } from './errors.js'
import { FaultInjector } from './faults.js'
import { FixtureError, type Fixtures, loadFixtures } from './fixtures.js'
import { GrantStore } from './grants.js'
import { REGIONS, type Region } from './namespace.js'
import { registerOAuthRoutes } from './oauth-routes.js'
import { registerWowRoutes } from './wow-routes.js'

export interface BnetStandinOptions {
  /** The fixture file, read afresh on every request. */
  fixturesPath: string
  logger?: FastifyServerOptions['logger']
  /** Milliseconds since the epoch; a test moves it on to expire codes. */
  clock?: () => number
  /** The region whose namespaces (`profile-us`, `dynamic-us`) the API accepts; default: any of the four. */
  region?: Region
  /**
   * The redirect URIs registered for the OAuth client, as on Blizzard's developer portal: `/oauth/authorize`
   * refuses any other. Default: any http(s) URL.
   */
  redirectUris?: readonly string[]
}

/** The slice of Battle.net the project uses (OAuth and the WoW API), served from a fixture file. */
export function buildBnetStandin(options: BnetStandinOptions): FastifyInstance {
  // One short line per request instead of Fastify's two; health probes are left out.
  const app = Fastify({
    logger: options.logger ?? false,
    logController: new LogController({ disableRequestLogging: true }),
  })
  app.addHook('onResponse', async (request, reply) => {
    if (request.url.startsWith('/health/')) return
    request.log.info(
      `${request.method} ${request.url.split('?', 1)[0]} → ${reply.statusCode} (${reply.elapsedTime.toFixed(0)} ms)`,
    )
  })
  void app.register(formbody)

  const loaded = new WeakMap<FastifyRequest, Fixtures>()
  const faults = new FaultInjector()
  const ctx: StandinContext = {
    grants: new GrantStore(options.clock ?? Date.now),
    regions: options.region === undefined ? REGIONS : [options.region],
    redirectUris: options.redirectUris,
    fixtures(request) {
      const fixtures = loaded.get(request)
      if (!fixtures) throw new Error('the fixtures were not loaded for this request')
      return fixtures
    },
  }

  // Health paths stay out of fixture loading and faults, so a launcher's readiness probe is not fooled.
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?', 1)[0] as string
    if (path.startsWith('/health/')) return
    const fixtures = await loadFixtures(options.fixturesPath)
    loaded.set(request, fixtures)
    const effect = faults.pick(fixtures.faults, path)
    if (!effect) return
    if (effect.delayMs > 0) await sleep(effect.delayMs)
    if (effect.status === undefined) return
    if (effect.retryAfter !== undefined) void reply.header('retry-after', String(effect.retryAfter))
    return reply
      .code(effect.status)
      .send(apiErrorBody(effect.status, `injected by the stand-in's fault on ${effect.fault.path}`))
  })

  app.get('/health/live', async () => ({ status: 'ok' }))
  app.get('/health/ready', async (_request, reply) => {
    try {
      await loadFixtures(options.fixturesPath)
      return { fixtures: 'up' }
    } catch (err) {
      return reply.code(503).send({ fixtures: 'down', message: (err as Error).message })
    }
  })

  registerOAuthRoutes(app, ctx)
  registerWowRoutes(app, ctx)

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof OAuthError) {
      return reply
        .code(error.statusCode)
        .headers(error.headers)
        .send({ error: error.error, error_description: error.message })
    }
    if (error instanceof ApiError) {
      if (error.statusCode === 401) void reply.header('www-authenticate', 'Bearer error="invalid_token"')
      return reply.code(error.statusCode).send(apiErrorBody(error.statusCode, error.message))
    }
    const given = (error as { statusCode?: unknown }).statusCode
    const status =
      error instanceof FixtureError || typeof given !== 'number' || given < 400 || given > 599 ? 500 : given
    if (status >= 500) request.log.error({ err: error }, 'Battle.net stand-in failed a request')
    const message = error instanceof Error ? error.message : String(error)
    return reply.code(status).send({ statusCode: status, error: STATUS_CODES[status] ?? 'Error', message })
  })

  return app
}
