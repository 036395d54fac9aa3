import type { FastifyInstance } from 'fastify'
import { findGuild, guildSummary } from '../../guilds/guild-queries.js'
import { errorResponses, guildIdParams, guildSummary as summarySchema, sessionSecurity } from '../schemas.js'
import { requireMember } from './require-member.js'

/** GET /guilds/{guild_id} */
export default async function summaryRoute(app: FastifyInstance): Promise<void> {
  app.get(
    '/guilds/:guild_id',
    {
      schema: {
        tags: ['guilds'],
        operationId: 'getGuild',
        summary: "The guild's summary (members only)",
        security: sessionSecurity,
        params: guildIdParams,
        response: { 200: summarySchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      await requireMember(app, request)
      const guild = await findGuild(app.db, request.guildId)
      if (guild === undefined) throw new Error(`guild ${request.guildId} vanished`)
      return await guildSummary(app.db, guild)
    },
  )
}
