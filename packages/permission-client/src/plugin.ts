import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { createPermissionClient, type PermissionClient, type PermissionClientOptions } from './client.js'
import { PermissionInputError, PermissionUndecidedError } from './errors.js'
import { isValidTool, parseId, TOOL_PATTERN } from './validate.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A route with a tool answers only users allowed that tool in the route's `:guild_id`. */
    tool?: string
  }
  interface FastifyInstance {
    permissions: PermissionClient
  }
}

export type GetUser = (request: FastifyRequest) => number | null | undefined

export type PermissionPluginOptions = (
  | (Omit<PermissionClientOptions, 'logger'> & Partial<Pick<PermissionClientOptions, 'logger'>>)
  | { client: PermissionClient }
) & {
  /** The session's user id; default `request.user?.bnetId` (guild-api's session plugin sets it). */
  getUser?: GetUser
}

const defaultGetUser: GetUser = (request) => {
  const user = (request as unknown as { user?: { bnetId?: unknown } | null }).user
  return user?.bnetId as number | null | undefined
}

function sendError(reply: FastifyReply, statusCode: number, error: string, message: string): FastifyReply {
  return reply.code(statusCode).send({ statusCode, error, message })
}

async function permissionPlugin(fastify: FastifyInstance, options: PermissionPluginOptions): Promise<void> {
  const owned = !('client' in options)
  const client =
    'client' in options ? options.client : createPermissionClient({ ...options, logger: options.logger ?? fastify.log })
  const getUser = options.getUser ?? defaultGetUser

  fastify.decorate('permissions', client)
  if (owned) fastify.addHook('onClose', async () => await client.close())

  // Fails at start-up, not at the first request, when a guarded route cannot be checked.
  fastify.addHook('onRoute', (route) => {
    const tool = (route.config as { tool?: unknown } | undefined)?.tool
    if (tool === undefined) return
    if (!isValidTool(tool)) {
      throw new Error(
        `route ${String(route.method)} ${route.url}: ` +
          `config.tool must match ${TOOL_PATTERN.source}, got ${JSON.stringify(tool)}`,
      )
    }
    if (!/:guild_id(?![A-Za-z0-9_])/.test(route.url)) {
      throw new Error(
        `route ${String(route.method)} ${route.url}: ` +
          `config.tool '${tool}' needs a :guild_id path parameter to check against`,
      )
    }
  })

  // A global hook rather than one added in onRoute: Fastify applies it to every route of this
  // context whenever that route was declared, so no tool-guarded route can slip through unchecked.
  fastify.addHook('preHandler', async (request, reply) => {
    const tool = request.routeOptions.config.tool
    if (tool === undefined) return

    const guildId = parseId((request.params as Record<string, unknown> | undefined)?.guild_id)
    if (guildId === undefined) {
      return sendError(reply, 400, 'Bad Request', 'guild_id must be a positive integer below 2^53')
    }
    const bnetId = getUser(request)
    if (bnetId === null || bnetId === undefined) {
      return sendError(reply, 401, 'Unauthorized', 'a valid session is required')
    }
    try {
      if (await client.check(guildId, bnetId, tool)) return
      return sendError(reply, 403, 'Forbidden', `tool '${tool}' is not allowed for you in guild ${guildId}`)
    } catch (err) {
      if (err instanceof PermissionUndecidedError) {
        request.log.warn({ reason: err.reason, tool, guildId }, 'permission check undecided')
        return sendError(reply, 503, 'Service Unavailable', 'permission check unavailable')
      }
      if (err instanceof PermissionInputError) {
        // guild_id and tool were validated above, so this is the session's user id: a server bug.
        request.log.error({ err, tool }, 'getUser returned an id that is not a positive integer below 2^53')
        return sendError(reply, 500, 'Internal Server Error', 'the session user could not be read')
      }
      throw err
    }
  })
}

export const permissionClientPlugin = fp(permissionPlugin, {
  name: '@guild/permission-client',
  fastify: '5.x',
})
