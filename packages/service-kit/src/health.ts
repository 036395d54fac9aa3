import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

export type RedisHealth = 'up' | 'down' | 'disabled' | 'connecting'

export interface HealthPluginOptions {
  /** Resolves true while the database answers (e.g. `select 1`). Rejecting or false means down. */
  database: () => Promise<boolean>
  /** The cache connection's state right now; synchronous so readiness never waits on Redis. */
  redis: () => RedisHealth
  /** How long the database check may take before it counts as down; default 1000 ms. */
  timeoutMs?: number
}

export interface ReadinessBody {
  database: 'up' | 'down'
  redis: 'up' | 'down' | 'disabled'
}

const readinessSchema = {
  type: 'object',
  required: ['database', 'redis'],
  properties: {
    database: { type: 'string', enum: ['up', 'down'] },
    redis: { type: 'string', enum: ['up', 'down', 'disabled'] },
  },
} as const

/**
 * Probes arrive every few seconds from the orchestrator; two info lines each would drown the log.
 * A readiness failure is still logged, at warn.
 */
export const PROBE_LOG_LEVEL = 'warn'

type DatabaseVerdict = { up: true } | { up: false; reason: string }

async function checkDatabase(check: () => Promise<boolean>, timeoutMs: number): Promise<DatabaseVerdict> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<DatabaseVerdict>((resolve) => {
    timer = setTimeout(() => resolve({ up: false, reason: `no answer within ${timeoutMs} ms` }), timeoutMs)
  })
  // Promise.resolve().then(check) turns a synchronous throw into a rejection we handle below.
  const answer = Promise.resolve()
    .then(check)
    .then(
      (ok): DatabaseVerdict => (ok === true ? { up: true } : { up: false, reason: 'the check answered false' }),
      (error: unknown): DatabaseVerdict => ({
        up: false,
        reason: error instanceof Error ? error.message : String(error),
      }),
    )
  try {
    return await Promise.race([answer, timeout])
  } finally {
    clearTimeout(timer)
  }
}

function redisState(redis: () => RedisHealth): ReadinessBody['redis'] {
  try {
    const state = redis()
    // Readiness reports what serves requests now: a connection still being made does not.
    return state === 'up' || state === 'disabled' ? state : 'down'
  } catch {
    return 'down'
  }
}

async function health(fastify: FastifyInstance, options: HealthPluginOptions): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 1000

  fastify.get(
    '/health/live',
    {
      logLevel: PROBE_LOG_LEVEL,
      schema: {
        tags: ['health'],
        operationId: 'getLiveness',
        summary: 'Liveness: the process answers HTTP',
        security: [],
        response: {
          200: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } } },
        },
      },
    },
    async () => ({ status: 'ok' as const }),
  )

  fastify.get(
    '/health/ready',
    {
      logLevel: PROBE_LOG_LEVEL,
      schema: {
        tags: ['health'],
        operationId: 'getReadiness',
        summary: 'Readiness: 200 while the database answers, else 503; Redis is reported but optional',
        security: [],
        response: {
          200: { description: 'the database answers', ...readinessSchema },
          503: { description: 'the database does not answer', ...readinessSchema },
        },
      },
    },
    async (request, reply) => {
      const database = await checkDatabase(options.database, timeoutMs)
      const body: ReadinessBody = { database: database.up ? 'up' : 'down', redis: redisState(options.redis) }
      if (!database.up) {
        request.log.warn({ reason: database.reason }, 'readiness: database down')
        return reply.code(503).send(body)
      }
      return body
    },
  )
}

/** GET /health/live and GET /health/ready, as CONTRACT.md describes them. */
export const healthPlugin = fp(health, { name: '@guild/service-kit/health', fastify: '5.x' })
