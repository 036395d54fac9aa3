import type { FastifyInstance } from 'fastify'
import { findGuild } from '../../guilds/guild-queries.js'
import { errorResponses, guildIdParams, sessionSecurity } from '../schemas.js'

const syncSchema = {
  type: 'object',
  required: ['added', 'removed', 'rank_changed'],
  properties: { added: { type: 'integer' }, removed: { type: 'integer' }, rank_changed: { type: 'integer' } },
} as const

/** POST /guilds/{guild_id}/sync */
export default async function syncRoute(app: FastifyInstance): Promise<void> {
  app.post(
    '/guilds/:guild_id/sync',
    {
      config: { tool: 'sync', rateLimit: app.guildWriteRateLimit },
      schema: {
        tags: ['guilds'],
        operationId: 'syncRoster',
        summary: "Applies Battle.net's current roster (tool sync); answers the counts of what changed",
        security: sessionSecurity,
        params: guildIdParams,
        response: { 200: syncSchema, ...errorResponses(400, 401, 403, 404, 429, 502, 503) },
      },
    },
    async (request) => {
      const guild = await findGuild(app.db, request.guildId)
      if (guild === undefined) throw new Error(`guild ${request.guildId} vanished`)
      return await app.rosterSyncs.manual(guild)
    },
  )
}
