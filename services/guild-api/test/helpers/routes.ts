import type { CatalogRoute } from '@guild/service-kit'
import type { FastifyInstance } from 'fastify'

/** The contract's routes that need no session (POST /auth/logout aside), and CORS's preflight route. */
export const PUBLIC_ROUTE = /^(\/auth\/|\/health\/|\/metrics$|\/docs(\/|$)|\*$)/

/** Methods whose requests change data (and carry bodies). */
export const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** A request path for a catalog route: `:guild_id` → the guild given, other params → 1, `*` → a file. */
export function pathOf(route: Pick<CatalogRoute, 'url'>, guildId = 9001): string {
  return route.url
    .replace(/:guild_id\b/g, String(guildId))
    .replace(/:[A-Za-z_]+/g, '1')
    .replace(/\*$/, 'index.html')
}

/** Every route of the app that needs a session, from the app's own catalog: a route added later is in it. */
export function sessionRoutes(app: FastifyInstance): CatalogRoute[] {
  return app.routeCatalog.filter(
    (r) => !PUBLIC_ROUTE.test(r.url) || (r.config as { session?: string } | undefined)?.session === 'required',
  )
}
