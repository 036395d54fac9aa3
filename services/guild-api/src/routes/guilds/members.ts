import type { FastifyInstance } from 'fastify'
import { getMembers, peekMembers, type Member } from '../../guilds/members.js'
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

const JSON_TYPE = 'application/json; charset=utf-8'

/** GET /guilds/{guild_id}/members */
export default async function membersRoute(app: FastifyInstance): Promise<void> {
  // A roster's body, serialized once per cached roster: the memory tier hands back the same array until
  // the guild changes (then a new one), and a roster is most of a kilobyte to stringify and measure.
  const bodies = new WeakMap<Member[], Buffer>()
  app.get(
    '/guilds/:guild_id/members',
    {
      config: { tool: 'roster' },
      schema: {
        tags: ['guilds'],
        operationId: 'listMembers',
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
      let body = bodies.get(known)
      if (body === undefined) {
        // The route's own serializer (its 200 schema), so the bytes are those of any other answer.
        body = Buffer.from(reply.serialize(known) as string)
        bodies.set(known, body)
      }
      reply.type(JSON_TYPE).send(body)
      return undefined
    },
  )
}
