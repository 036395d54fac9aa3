import { TOOL_PATTERN } from '@guild/contract'
import { httpError } from '@guild/service-kit'
import type { FastifyInstance } from 'fastify'
import { errorResponses, guildIdParams, sessionSecurity } from '../schemas.js'
import { requireMember } from './require-member.js'

const MAX_TOOLS = 100

/** `a,b,c` → the distinct tool names, or a 400 naming the bad one. */
export function parseToolList(value: string): string[] {
  const tools = [...new Set(value.split(',').map((t) => t.trim()))]
  for (const tool of tools) {
    if (!TOOL_PATTERN.test(tool))
      throw httpError(400, `querystring/tools: "${tool.slice(0, 40)}" is not a tool name (${TOOL_PATTERN.source})`)
  }
  if (tools.length > MAX_TOOLS) throw httpError(400, `querystring/tools may name at most ${MAX_TOOLS} tools`)
  return tools
}

/** GET /guilds/{guild_id}/me/tools?tools=a,b */
export default async function myToolsRoute(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: { tools: string } }>(
    '/guilds/:guild_id/me/tools',
    {
      schema: {
        tags: ['permissions'],
        operationId: 'getMyTools',
        summary: 'Which of these tools the caller may use in the guild (members only), in one check',
        security: sessionSecurity,
        params: guildIdParams,
        querystring: {
          type: 'object',
          required: ['tools'],
          properties: {
            tools: { type: 'string', minLength: 1, maxLength: 4000, description: 'tool names, comma-separated' },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['tools'],
            properties: { tools: { type: 'object', additionalProperties: { type: 'boolean' } } },
          },
          ...errorResponses(400, 401, 403, 404, 503),
        },
      },
    },
    async (request) => {
      const tools = parseToolList(request.query.tools)
      await requireMember(app, request)
      const bnetId = request.user?.bnetId as number
      const answers = await app.permissions.checkMany(tools.map((tool) => ({ guildId: request.guildId, bnetId, tool })))
      return { tools: Object.fromEntries(tools.map((tool, i) => [tool, answers[i] === true])) }
    },
  )
}
