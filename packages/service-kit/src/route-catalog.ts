import type { FastifyInstance, FastifySchema, RouteOptions } from 'fastify'
import fp from 'fastify-plugin'

/** One method of one route, as it was declared. */
export interface CatalogRoute {
  method: string
  /** The path pattern, e.g. `/guilds/:guild_id/members`. */
  url: string
  /** The route's schema as declared (`params`, `querystring`, `body`, …); undefined when it has none. */
  schema: FastifySchema | undefined
  /** The route's `config` (e.g. guild-api's `{ tool }` or `{ session }`). */
  config: unknown
  /** The route's own body limit, when it sets one (else the server's applies). */
  bodyLimit: number | undefined
}

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Every route the app serves, one entry per method (Fastify's HEAD twins included), in the order
     * they were declared. Tests and fuzzers walk it so that a route added later cannot be forgotten.
     */
    routeCatalog: readonly CatalogRoute[]
  }
}

async function routeCatalog(fastify: FastifyInstance): Promise<void> {
  // openApiPlugin registers it too; a service that also registers it itself gets one catalog.
  if (fastify.hasDecorator('routeCatalog')) return
  const routes: CatalogRoute[] = []
  fastify.decorate('routeCatalog', routes)
  fastify.addHook('onRoute', (route: RouteOptions) => {
    for (const method of [route.method].flat()) {
      routes.push({ method, url: route.url, schema: route.schema, config: route.config, bodyLimit: route.bodyLimit })
    }
  })
}

/**
 * `app.routeCatalog`: the list of every route, from an onRoute hook. Like OpenAPI it must be registered
 * BEFORE any route (openApiPlugin registers it for you), and unlike OpenAPI it leaves none out
 * (hidden routes, HEAD twins, the docs' own static routes).
 */
export const routeCatalogPlugin = fp(routeCatalog, { name: '@guild/service-kit/route-catalog', fastify: '5.x' })
