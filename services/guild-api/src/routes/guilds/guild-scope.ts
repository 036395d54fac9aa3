import { parseId } from '@guild/contract'
import { httpError } from '@guild/service-kit'
import type { FastifyInstance } from 'fastify'
import { findGuild } from '../../guilds/guild-queries.js'
import membersRoute from './members.js'
import myToolsRoute from './my-tools.js'
import permissionsRoutes from './permissions.js'
import settingsRoutes from './settings.js'
import summaryRoute from './summary.js'
import syncRoute from './sync.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The registered guild of the route's `:guild_id` (guild-scoped routes only; 0 elsewhere). */
    guildId: number
  }
}

/** Guilds are never deleted, so an id once found skips the lookup; unknown ids are looked up every time. */
const KNOWN_GUILDS_MAX = 100_000

/**
 * Every `/guilds/{guild_id}…` route. Its preValidation hook runs after the session check (401) and
 * before the permission preHandler, so an unknown guild answers 404 rather than 403.
 */
export default async function guildScope(app: FastifyInstance): Promise<void> {
  const known = new Set<number>()
  app.decorateRequest('guildId', 0)

  // A callback hook: a guild seen before passes in the same turn, with no promise.
  app.addHook('preValidation', (request, _reply, done) => {
    const guildId = parseId((request.params as { guild_id?: unknown }).guild_id)
    if (guildId === undefined) return done(httpError(400, 'params/guild_id must be a positive integer below 2^53'))
    if (known.has(guildId)) {
      request.guildId = guildId
      return done()
    }
    findGuild(app.db, guildId).then((guild) => {
      if (guild === undefined) return done(httpError(404, `guild ${guildId} is not registered`))
      if (known.size >= KNOWN_GUILDS_MAX) known.clear()
      known.add(guildId)
      request.guildId = guildId
      done()
    }, done)
  })

  await app.register(summaryRoute)
  await app.register(membersRoute)
  await app.register(permissionsRoutes)
  await app.register(settingsRoutes)
  await app.register(syncRoute)
  await app.register(myToolsRoute)
}
