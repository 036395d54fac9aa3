import { httpError } from '@guild/service-kit'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { bestRank } from '../../guilds/guild-queries.js'

/**
 * For the "a member" routes: the caller's best rank in the guild's roster, read from the database at
 * the time of the request (a sync takes effect at once); 403 without a character in it. Runs inside
 * guild-scope.ts's context, which has set `request.guildId`.
 */
export async function requireMember(app: FastifyInstance, request: FastifyRequest): Promise<number> {
  const rank = await bestRank(app.db, request.guildId, request.user?.bnetId as number)
  if (rank === null) throw httpError(403, `you have no character in the roster of guild ${request.guildId}`)
  return rank
}
