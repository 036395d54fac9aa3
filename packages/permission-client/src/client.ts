import { Pool } from 'undici'
import { readBatchAnswer, readCheckAnswer } from './answer.js'
import { CircuitBreaker, CircuitOpenError, DeadlineExceededError, DeadlineSignal, withinDeadline, type BreakerState } from '@guild/resilience'
import { CheckCoalescer } from './coalescer.js'
import { PermissionDeniedError, PermissionUndecidedError, type UndecidedReason } from './errors.js'
import { requestService, serviceHeaders, type PermissionLogger, type ServiceTransport } from './service-request.js'
import { assertValidItem, type CheckItem } from './validate.js'

/** The contract's batch limit: `POST /v1/check/batch` takes 1 to 100 checks. */
export const BATCH_LIMIT = 100

export interface PermissionClientOptions {
  /** permission-service's base URL (`PERMISSION_SERVICE_URL`); a path is kept as a prefix. */
  url: string
  /** `SERVICE_TOKEN`, sent as `Authorization: Bearer …`. */
  token: string
  /** Every call, pool queueing included, ends by this many ms. Default 250. */
  deadlineMs?: number
  /** Upper bound on sockets to permission-service. Default 32. */
  connections?: number
  /** Consecutive undecided calls that open the circuit (default 5), and how long it stays open (default 1000 ms: a restarted permission-service is back in use within a second). */
  breaker?: { threshold?: number; resetMs?: number; now?: () => number }
  /** pino-compatible; the Fastify plugin passes `fastify.log`. Default: console. */
  logger?: PermissionLogger
  /**
   * Single checks asked in the same turn of the event loop go out together, as one request (a batch
   * when they differ; identical ones share an answer). Default true; false sends one GET per check.
   */
  coalesce?: boolean
  /** Called once per `check`/`checkMany`/`assert`, for metrics. Must not throw. */
  onResult?: (event: PermissionResultEvent) => void
}

export interface PermissionResultEvent {
  op: 'check' | 'batch'
  /** Items asked about. */
  items: number
  allowed: number
  denied: number
  /** Set when the call was undecided (then allowed = denied = 0). */
  undecided?: UndecidedReason
  durationMs: number
}

export interface PermissionClientStats {
  breaker: BreakerState
  consecutiveFailures: number
  pool: { connected: number; free: number; pending: number; queued: number; running: number; size: number }
}

export interface PermissionClient {
  /** true / false as permission-service answers; throws PermissionUndecidedError when it cannot tell. Joins the other checks of its turn unless `coalesce` is false. */
  check(guildId: number, bnetId: number, tool: string): Promise<boolean>
  /** One answer per item, in order; more than 100 items go out as parallel batches of 100. */
  checkMany(items: readonly CheckItem[]): Promise<boolean[]>
  /** Resolves when allowed; throws PermissionDeniedError (403) or PermissionUndecidedError (503). */
  assert(guildId: number, bnetId: number, tool: string): Promise<void>
  stats(): PermissionClientStats
  /** Lets in-flight calls finish (each is bounded by its deadline), then closes the sockets. */
  close(): Promise<void>
  readonly deadlineMs: number
}

const consoleLogger: PermissionLogger = {
  error: (obj, msg) => console.error(`[@guild/permission-client] ${msg}`, obj),
  warn: (obj, msg) => console.warn(`[@guild/permission-client] ${msg}`, obj),
}

function parseServiceUrl(raw: string): { origin: string; prefix: string } {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new TypeError(`permission-client: url ${JSON.stringify(raw)} is not a URL; set PERMISSION_SERVICE_URL to e.g. http://127.0.0.1:3001`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`permission-client: url must be http(s), got ${url.protocol}`)
  }
  return { origin: url.origin, prefix: url.pathname.replace(/\/+$/, '') }
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`permission-client: ${name} must be an integer >= 1, got ${String(value)}`)
  }
  return value
}

/** Inputs are validated before they are sent: every failure of an exchange counts against the service. */
const everyFailure = () => true
/** Made only when the deadline passes: an Error captures a stack, which every call would pay for. */
const expired = (ms: number) => new DeadlineExceededError(ms)

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

export function createPermissionClient(options: PermissionClientOptions): PermissionClient {
  const { origin, prefix } = parseServiceUrl(options.url)
  if (typeof options.token !== 'string' || options.token.length === 0) {
    throw new TypeError('permission-client: token is empty; pass SERVICE_TOKEN, the secret permission-service expects')
  }
  const deadlineMs = positiveInteger(options.deadlineMs ?? 250, 'deadlineMs')
  const connections = positiveInteger(options.connections ?? 32, 'connections')
  const logger = options.logger ?? consoleLogger

  const pool = new Pool(origin, {
    connections,
    pipelining: 1,
    // Backstops only: the per-call deadline aborts far sooner.
    connectTimeout: deadlineMs,
    headersTimeout: deadlineMs,
    bodyTimeout: deadlineMs,
  })
  const transport: ServiceTransport = { pool, logger, headers: serviceHeaders(options.token) }
  const breaker = new CircuitBreaker({
    threshold: options.breaker?.threshold ?? 5,
    resetMs: options.breaker?.resetMs ?? 1_000,
    ...(options.breaker?.now ? { now: options.breaker.now } : {}),
    onStateChange: (from, to) => {
      logger.warn({ from, to, url: origin + prefix }, `permission-service circuit ${to}`)
    },
  })
  let closed = false
  let closing: Promise<void> | undefined

  function report(event: PermissionResultEvent): void {
    try {
      options.onResult?.(event)
    } catch {
      // Metrics must never change a permission answer.
    }
  }

  /**
   * Deadline, breaker and error mapping shared by every exchange. The deadline counts from
   * `startedAt`, when the (oldest) caller asked, so time spent waiting to be sent is part of it.
   */
  async function exchange<T>(startedAt: number, work: (signal: DeadlineSignal) => Promise<T>): Promise<T> {
    try {
      if (closed) throw new PermissionUndecidedError('closed', 'the permission client is closed')
      const left = Math.max(1, Math.ceil(deadlineMs - (performance.now() - startedAt)))
      // Every failure inside is an undecided answer (inputs were validated before).
      return await breaker.run(() => {
        const signal = new DeadlineSignal()
        return withinDeadline(work(signal), left, expired, signal)
      }, everyFailure)
    } catch (err) {
      throw toUndecided(err)
    }
  }

  /** One public call: its exchange, reported once. */
  async function decide<T>(op: 'check' | 'batch', items: number, work: (signal: DeadlineSignal) => Promise<T>, count: (r: T) => number): Promise<T> {
    const started = performance.now()
    try {
      const result = await exchange(started, work)
      const allowed = count(result)
      report({ op, items, allowed, denied: items - allowed, durationMs: performance.now() - started })
      return result
    } catch (err) {
      const undecided = toUndecided(err)
      report({ op, items, allowed: 0, denied: 0, undecided: undecided.reason, durationMs: performance.now() - started })
      throw undecided
    }
  }

  function toUndecided(err: unknown): PermissionUndecidedError {
    if (err instanceof PermissionUndecidedError) return err
    if (err instanceof CircuitOpenError) return new PermissionUndecidedError('circuit-open', err.message, { cause: err })
    if (err instanceof DeadlineExceededError) return new PermissionUndecidedError('timeout', err.message, { cause: err })
    return new PermissionUndecidedError('unreachable', err instanceof Error ? err.message : String(err), { cause: err })
  }

  async function sendOne(item: CheckItem, signal: DeadlineSignal): Promise<boolean> {
    // Validated before it got here (digits, and a tool of [a-z0-9-]): nothing in it needs escaping.
    const path = `${prefix}/v1/check?guild_id=${item.guildId}&bnet_id=${item.bnetId}&tool=${item.tool}`
    return readCheckAnswer(await requestService(transport, { method: 'GET', path, signal }))
  }

  async function sendBatch(part: readonly CheckItem[], signal: DeadlineSignal): Promise<boolean[]> {
    const body = JSON.stringify({ checks: part.map((c) => ({ guild_id: c.guildId, bnet_id: c.bnetId, tool: c.tool })) })
    const answer = await requestService(transport, { method: 'POST', path: `${prefix}/v1/check/batch`, body, signal })
    return readBatchAnswer(answer, part.length)
  }

  /**
   * A coalesced group: one GET, or one batch. permission-service answers a whole batch or nothing, so
   * one item it cannot decide (503) would fail checks it could answer; then each is asked alone.
   */
  async function sendGroup(items: readonly CheckItem[], startedAt: number): Promise<(boolean | Error)[]> {
    if (items.length === 1) return [await exchange(startedAt, (signal) => sendOne(items[0] as CheckItem, signal))]
    try {
      return await exchange(startedAt, (signal) => sendBatch(items, signal))
    } catch (err) {
      if (!(err instanceof PermissionUndecidedError) || err.reason !== 'server-error') throw err
      return await Promise.all(items.map((item) => exchange(startedAt, (signal) => sendOne(item, signal)).catch((e: unknown) => toUndecided(e))))
    }
  }

  const coalescer =
    options.coalesce === false
      ? undefined
      : new CheckCoalescer(
          sendGroup,
          BATCH_LIMIT,
          (waiter, outcome) => {
            const durationMs = performance.now() - waiter.startedAt
            if ('allowed' in outcome) {
              const allowed = outcome.allowed ? 1 : 0
              report({ op: 'check', items: 1, allowed, denied: 1 - allowed, durationMs })
            } else {
              report({ op: 'check', items: 1, allowed: 0, denied: 0, undecided: toUndecided(outcome.error).reason, durationMs })
            }
          },
        )

  async function check(guildId: number, bnetId: number, tool: string): Promise<boolean> {
    const item = { guildId, bnetId, tool }
    assertValidItem(item)
    if (coalescer !== undefined) return await coalescer.check(item)
    return await decide('check', 1, (signal) => sendOne(item, signal), (allowed) => (allowed ? 1 : 0))
  }

  async function checkMany(items: readonly CheckItem[]): Promise<boolean[]> {
    if (!Array.isArray(items)) throw new TypeError('checkMany expects an array of {guildId, bnetId, tool}')
    items.forEach((item, i) => assertValidItem(item, `checkMany item ${i}`))
    if (items.length === 0) return []
    return await decide(
      'batch',
      items.length,
      async (signal) => (await Promise.all(chunk(items, BATCH_LIMIT).map((part) => sendBatch(part, signal)))).flat(),
      (results) => results.filter(Boolean).length,
    )
  }

  async function assert(guildId: number, bnetId: number, tool: string): Promise<void> {
    if (!(await check(guildId, bnetId, tool))) throw new PermissionDeniedError(guildId, bnetId, tool)
  }

  return {
    check,
    checkMany,
    assert,
    deadlineMs,
    stats: () => {
      const s = pool.stats
      return {
        breaker: breaker.state,
        consecutiveFailures: breaker.consecutiveFailures,
        pool: { connected: s.connected, free: s.free, pending: s.pending, queued: s.queued, running: s.running, size: s.size },
      }
    },
    close: async () => {
      closed = true
      closing ??= pool.close()
      await closing
    },
  }
}
