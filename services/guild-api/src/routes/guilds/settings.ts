import type { GuildSettingsObject } from '@guild/db'
import { httpError } from '@guild/service-kit'
import type { FastifyInstance } from 'fastify'
import { settingsProblem } from '../../guilds/settings-input.js'
import { getSettings, replaceSettings } from '../../guilds/settings.js'
import { errorResponses, guildIdParams, sessionSecurity } from '../schemas.js'
import { requireMember } from './require-member.js'

const settingsSchema = {
  type: 'object',
  additionalProperties: true,
  description: "the guild's settings object",
} as const

/** GET and PUT /guilds/{guild_id}/settings */
export default async function settingsRoutes(app: FastifyInstance): Promise<void> {
  const maxBytes = app.config.SETTINGS_MAX_BYTES

  app.get(
    '/guilds/:guild_id/settings',
    {
      schema: {
        tags: ['settings'],
        operationId: 'getSettings',
        summary: "The guild's settings (members only)",
        security: sessionSecurity,
        params: guildIdParams,
        response: { 200: settingsSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      await requireMember(app, request)
      return await getSettings(app.cache, app.db, request.guildId)
    },
  )

  app.put<{ Body: GuildSettingsObject }>(
    '/guilds/:guild_id/settings',
    {
      config: { tool: 'settings' },
      // Whitespace aside, a body much larger than the limit cannot fit it: refuse it before parsing.
      bodyLimit: maxBytes * 4 + 1024,
      schema: {
        tags: ['settings'],
        operationId: 'putSettings',
        summary: `Replaces the settings object (tool settings); at most ${maxBytes} bytes of JSON`,
        security: sessionSecurity,
        params: guildIdParams,
        body: settingsSchema,
        response: { 200: settingsSchema, ...errorResponses(400, 401, 403, 404, 413, 503) },
      },
    },
    async (request) => {
      // First, and without recursion: what jsonb cannot store (a 500 from Postgres) and nesting that
      // would overflow JSON.stringify's stack (a 500 from the size check below).
      const problem = settingsProblem(request.body)
      if (problem !== undefined) throw httpError(400, problem)
      const size = Buffer.byteLength(JSON.stringify(request.body))
      if (size > maxBytes)
        throw httpError(
          413,
          `body: the settings object is ${size} bytes of JSON; at most ${maxBytes} are allowed (SETTINGS_MAX_BYTES)`,
        )
      return await replaceSettings(app.cache, app.db, request.guildId, request.body)
    },
  )
}
