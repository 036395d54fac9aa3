import { isValidRank, TOOL_PATTERN } from '@guild/contract'
import { httpError } from '@guild/service-kit'
import type { FastifyInstance } from 'fastify'
import { loadToolPermissions, replaceToolPermissions, type ToolMap } from '../../guilds/tool-permissions.js'
import { errorResponses, guildIdParams, sessionSecurity, toolMap } from '../schemas.js'
import { requireMember } from './require-member.js'

const MAX_TOOLS = 200

const toolsBody = {
  type: 'object',
  required: ['tools'],
  additionalProperties: false,
  properties: { tools: { ...toolMap, maxProperties: MAX_TOOLS } },
} as const

/** The schema checks the same; this names the offending tool in words a person can act on. */
function checkTools(tools: ToolMap): void {
  for (const [tool, rank] of Object.entries(tools)) {
    if (!TOOL_PATTERN.test(tool))
      throw httpError(400, `body/tools: "${tool.slice(0, 40)}" is not a tool name (${TOOL_PATTERN.source})`)
    if (!isValidRank(rank)) throw httpError(400, `body/tools/${tool} must be a rank from 0 to 9`)
  }
}

/** GET and PUT /guilds/{guild_id}/permissions */
export default async function permissionsRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/guilds/:guild_id/permissions',
    {
      schema: {
        tags: ['permissions'],
        operationId: 'getPermissions',
        summary: "The guild's tool permissions (members only)",
        security: sessionSecurity,
        params: guildIdParams,
        response: { 200: toolsBody, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      await requireMember(app, request)
      return { tools: await loadToolPermissions(app.db, request.guildId) }
    },
  )

  app.put<{ Body: { tools: ToolMap } }>(
    '/guilds/:guild_id/permissions',
    {
      config: { tool: 'permissions' },
      schema: {
        tags: ['permissions'],
        operationId: 'putPermissions',
        summary: 'Replaces the tool permissions (tool permissions); takes effect on the next check',
        security: sessionSecurity,
        params: guildIdParams,
        body: toolsBody,
        response: { 200: toolsBody, ...errorResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      checkTools(request.body.tools)
      return { tools: await replaceToolPermissions(app.cache, app.db, request.guildId, request.body.tools) }
    },
  )
}
