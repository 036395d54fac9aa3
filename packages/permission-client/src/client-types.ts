import type { BreakerState } from '@guild/resilience'
import type { UndecidedReason } from './errors.js'
import type { PermissionLogger } from './service-request.js'
import type { CheckItem } from './validate.js'

export interface PermissionClientOptions {
  /** permission-service's base URL (`PERMISSION_SERVICE_URL`); a path is kept as a prefix. */
  url: string
  /** `SERVICE_TOKEN`, sent as `Authorization: Bearer …`. */
  token: string
  /** Every call, pool queueing included, ends by this many ms. Default 250. */
  deadlineMs?: number
  /** Upper bound on sockets to permission-service. Default 32. */
  connections?: number
  /**
   * Consecutive undecided calls that open the circuit (default 5), and how long it stays open (default 1000 ms: a
   * restarted permission-service is back in use within a second).
   */
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
  /**
   * true / false as permission-service answers; throws PermissionUndecidedError when it cannot tell. Joins the other
   * checks of its turn unless `coalesce` is false.
   */
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
