import { CircuitBreaker, type DeadlineSignal } from '@guild/resilience'
import { Pool } from 'undici'
import { askGroup, askInBatches, BATCH_LIMIT } from './batches.js'
import { CheckRequests } from './check-requests.js'
import { resolveClientOptions } from './client-options.js'
import type { PermissionClient, PermissionClientOptions } from './client-types.js'
import { CheckCoalescer } from './coalescer.js'
import { PermissionDeniedError } from './errors.js'
import { ServiceExchange } from './exchange.js'
import { ResultReport } from './result-report.js'
import { serviceHeaders } from './service-request.js'
import { undecidedOf } from './undecided.js'
import { assertValidItem, type CheckItem } from './validate.js'

export { BATCH_LIMIT } from './batches.js'
export type {
  PermissionClient,
  PermissionClientOptions,
  PermissionClientStats,
  PermissionResultEvent,
} from './client-types.js'

/**
 * The client, from its parts: the pool and breaker it owns, the exchange (deadline, breaker, undecided
 * errors), the requests, the batch splitting, and the report of each call's result.
 */
export function createPermissionClient(options: PermissionClientOptions): PermissionClient {
  const { origin, prefix, token, deadlineMs, connections, logger } = resolveClientOptions(options)
  const pool = new Pool(origin, {
    connections,
    pipelining: 1,
    // Backstops only: the per-call deadline aborts far sooner.
    connectTimeout: deadlineMs,
    headersTimeout: deadlineMs,
    bodyTimeout: deadlineMs,
  })
  const breaker = new CircuitBreaker({
    threshold: options.breaker?.threshold ?? 5,
    resetMs: options.breaker?.resetMs ?? 1_000,
    ...(options.breaker?.now ? { now: options.breaker.now } : {}),
    onStateChange: (from, to) => {
      logger.warn({ from, to, url: origin + prefix }, `permission-service circuit ${to}`)
    },
  })
  const exchange = new ServiceExchange(breaker, deadlineMs)
  const requests = new CheckRequests({ pool, logger, headers: serviceHeaders(token) }, prefix)
  const report = new ResultReport(options.onResult)
  const coalescer =
    options.coalesce === false
      ? undefined
      : new CheckCoalescer(
          (items, startedAt) => askGroup(exchange, requests, items, startedAt),
          BATCH_LIMIT,
          (waiter, outcome) => {
            if ('allowed' in outcome) report.decided('check', 1, outcome.allowed ? 1 : 0, waiter.startedAt)
            else report.undecided('check', 1, undecidedOf(outcome.error).reason, waiter.startedAt)
          },
        )
  let closing: Promise<void> | undefined

  /** One uncoalesced public call: its exchange, reported once. */
  async function decide<T>(
    op: 'check' | 'batch',
    items: number,
    work: (signal: DeadlineSignal) => Promise<T>,
    count: (r: T) => number,
  ): Promise<T> {
    const started = performance.now()
    try {
      const result = await exchange.run(started, work)
      report.decided(op, items, count(result), started)
      return result
    } catch (err) {
      const undecided = undecidedOf(err)
      report.undecided(op, items, undecided.reason, started)
      throw undecided
    }
  }

  async function check(guildId: number, bnetId: number, tool: string): Promise<boolean> {
    const item = { guildId, bnetId, tool }
    assertValidItem(item)
    if (coalescer !== undefined) return await coalescer.check(item)
    return await decide(
      'check',
      1,
      (signal) => requests.one(item, signal),
      (allowed: boolean) => (allowed ? 1 : 0),
    )
  }

  async function checkMany(items: readonly CheckItem[]): Promise<boolean[]> {
    if (!Array.isArray(items)) throw new TypeError('checkMany expects an array of {guildId, bnetId, tool}')
    items.forEach((item: CheckItem, i) => assertValidItem(item, `checkMany item ${i}`))
    if (items.length === 0) return []
    return await decide(
      'batch',
      items.length,
      (signal) => askInBatches(requests, items, signal),
      (results: boolean[]) => results.filter(Boolean).length,
    )
  }

  return {
    check,
    checkMany,
    assert: async (guildId, bnetId, tool) => {
      if (!(await check(guildId, bnetId, tool))) throw new PermissionDeniedError(guildId, bnetId, tool)
    },
    deadlineMs,
    stats: () => {
      const s = pool.stats
      return {
        breaker: breaker.state,
        consecutiveFailures: breaker.consecutiveFailures,
        pool: {
          connected: s.connected,
          free: s.free,
          pending: s.pending,
          queued: s.queued,
          running: s.running,
          size: s.size,
        },
      }
    },
    close: async () => {
      exchange.close()
      closing ??= pool.close()
      await closing
    },
  }
}
