import { parseId } from '@guild/contract'
import { httpError } from '@guild/service-kit'
import type { FastifyInstance } from 'fastify'
import type { CheckItem } from '@guild/contract'
import { CheckUndecidedError } from '../check/errors.js'
import { batchSchema, checkSchema } from './check-schemas.js'

interface CheckQuery {
  guild_id: string
  bnet_id: string
  tool: string
}

interface BatchBody {
  checks: { guild_id: number; bnet_id: number; tool: string }[]
}

// The two possible answers, serialized once: the hot path sends a ready string.
const ANSWER = { true: '{"has_access":true}', false: '{"has_access":false}' } as const
const JSON_TYPE = 'application/json; charset=utf-8'

/** HTTP only: the schemas validate, the checker decides, and an undecided check is a 503. */
export default async function checkRoutes(app: FastifyInstance): Promise<void> {
  // Every guild-api request makes a check: a log line per check would cost more than the check.
  // Errors (warn and above) are still logged.
  const logLevel = 'warn'

  // Not an async handler: a check answered from memory is sent without a promise in between. It returns
  // nothing, never `reply`: Fastify would treat a returned reply as a promise and, until it is sent,
  // watch the response stream for its end (listeners added and removed on every check).
  app.get<{ Querystring: CheckQuery }>('/v1/check', { schema: checkSchema, logLevel }, (request, reply): void => {
    const { guild_id, bnet_id, tool } = request.query
    const item: CheckItem = { guildId: idOrThrow(guild_id, 'guild_id'), bnetId: idOrThrow(bnet_id, 'bnet_id'), tool }
    const known = app.checker.peek(item)
    if (known !== undefined) {
      reply.type(JSON_TYPE).send(ANSWER[`${known}`])
      return
    }
    app.checker.check(item).then(
      (has_access) => reply.type(JSON_TYPE).send(ANSWER[`${has_access}`]),
      (err: unknown) => reply.send(undecided(err)),
    )
  })

  app.post<{ Body: BatchBody }>(
    '/v1/check/batch',
    { schema: batchSchema, bodyLimit: 64 * 1024, logLevel },
    async (request) => {
      const items = request.body.checks.map((c) => ({ guildId: c.guild_id, bnetId: c.bnet_id, tool: c.tool }))
      try {
        const answers = await app.checker.checkMany(items)
        return { results: answers.map((has_access) => ({ has_access })) }
      } catch (err) {
        throw undecided(err)
      }
    },
  )
}

/** The pattern lets 16 digits through; 2^53 and above are refused here, naming the field. */
function idOrThrow(text: string, field: string): number {
  const id = parseId(text)
  if (id === undefined) throw httpError(400, `querystring/${field} must be a positive integer below 2^53`)
  return id
}

function undecided(err: unknown): Error {
  if (err instanceof CheckUndecidedError) {
    return httpError(503, `the permission could not be established (${err.reason}); try again`, {
      headers: { 'retry-after': '1' },
      cause: err,
    })
  }
  return err instanceof Error ? err : new Error(String(err))
}
