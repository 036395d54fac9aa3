import type { FastifyInstance } from 'fastify'
import { getMembers, peekMembers } from '../../guilds/members.js'
import { errorResponses, guildIdParams, sessionSecurity } from '../schemas.js'

const membersSchema = {
  type: 'array',
  items: {
    type: 'object',
    required: ['character_id', 'name', 'realm', 'level', 'class_id', 'rank'],
    properties: {
      character_id: { type: 'integer' },
      name: { type: 'string' },
      realm: { type: 'string' },
      level: { type: 'integer' },
      class_id: { type: 'integer' },
      rank: { type: 'integer' },
    },
  },
} as const

/** GET /guilds/{guild_id}/members */
export default async function membersRoute(app: FastifyInstance): Promise<void> {
  app.get(
    '/guilds/:guild_id/members',
    {
      config: { tool: 'roster' },
      schema: {
        tags: ['guilds'],
        summary: "The guild's roster (tool roster)",
        security: sessionSecurity,
        params: guildIdParams,
        response: { 200: membersSchema, ...errorResponses(400, 401, 403, 404, 503) },
      },
    },
    // Not async: members the cache's memory holds are sent in the same turn; otherwise the promise is returned.
    (request, reply) => {
      const known = peekMembers(app.cache, request.guildId)
      if (known === undefined) return getMembers(app.cache, app.db, request.guildId)
      reply.send(known)
      return undefined
    },
  )
}
