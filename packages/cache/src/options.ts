import { CacheInputError } from './errors.js'
import { checkTimeouts } from './read/read-policy.js'
import type { CacheLogger, CacheOptions, LoaderTimeouts } from './types.js'

export interface ResolvedOptions {
  operationTimeoutMs: number
  breakerThreshold: number
  breakerProbeIntervalMs: number
  lockTtlMs: number
  lockWaitMs: number
  earlyRefreshBeta: number
  busChannel: string
  propagationTimeoutMs: number
  memory: { ttlMs: number; max: number }
  heartbeatMs: number
  recoveryGraceMs: number
  reconnectMaxDelayMs: number
  invalidationOutwaitsSilence: boolean
  errorLogIntervalMs: number
  /** Loader timeouts (ms) for calls that give none of their own. */
  timeouts: LoaderTimeouts
  logger: CacheLogger
}

const quietLogger: CacheLogger = {
  debug: () => {},
  info: () => {},
  warn: (obj, msg) => console.warn(`[@guild/cache] ${msg ?? ''}`, obj),
  error: (obj, msg) => console.error(`[@guild/cache] ${msg ?? ''}`, obj),
}

function whole(value: number | undefined, fallback: number, name: string, min: number): number {
  const v = value ?? fallback
  if (!Number.isInteger(v) || v < min)
    throw new CacheInputError(`createCache: ${name} must be a whole number >= ${min}, got ${String(v)}`)
  return v
}

export function resolveOptions(options: CacheOptions): ResolvedOptions {
  const beta = options.earlyRefreshBeta ?? 1
  if (typeof beta !== 'number' || !Number.isFinite(beta) || beta < 0) {
    throw new CacheInputError(`createCache: earlyRefreshBeta must be a number >= 0, got ${String(beta)}`)
  }
  const busChannel = options.busChannel ?? 'cache:bus'
  if (typeof busChannel !== 'string' || !busChannel.startsWith('cache:')) {
    throw new CacheInputError('createCache: busChannel must start with "cache:" like every key the project owns')
  }
  // A brace would be a Cluster hash tag and could put the ack channels in another slot than the bus's.
  if (/[\s{}]/.test(busChannel))
    throw new CacheInputError('createCache: busChannel must not contain whitespace or braces')
  const resolved: Omit<ResolvedOptions, 'logger'> = {
    operationTimeoutMs: whole(options.operationTimeoutMs, 50, 'operationTimeoutMs', 1),
    breakerThreshold: whole(options.breakerThreshold, 5, 'breakerThreshold', 1),
    breakerProbeIntervalMs: whole(options.breakerProbeIntervalMs, 250, 'breakerProbeIntervalMs', 1),
    lockTtlMs: whole(options.lockTtlMs, 2_000, 'lockTtlMs', 1),
    lockWaitMs: whole(options.lockWaitMs, 250, 'lockWaitMs', 0),
    earlyRefreshBeta: beta,
    busChannel,
    propagationTimeoutMs: whole(options.propagationTimeoutMs, 500, 'propagationTimeoutMs', 0),
    heartbeatMs: whole(options.heartbeatMs, 100, 'heartbeatMs', 1),
    recoveryGraceMs: whole(options.recoveryGraceMs, 1_000, 'recoveryGraceMs', 0),
    reconnectMaxDelayMs: whole(options.reconnectMaxDelayMs, 400, 'reconnectMaxDelayMs', 1),
    invalidationOutwaitsSilence: options.invalidationOutwaitsSilence === true,
    memory: {
      ttlMs: whole(options.memory?.ttlMs, 0, 'memory.ttlMs', 0),
      max: whole(options.memory?.max, 10_000, 'memory.max', 1),
    },
    errorLogIntervalMs: whole(options.errorLogIntervalMs, 10_000, 'errorLogIntervalMs', 0),
    timeouts: checkTimeouts(options.timeouts, 'createCache: timeouts'),
  }
  assertTimingRelations(resolved)
  return { ...resolved, logger: options.logger ?? quietLogger }
}

/**
 * Settings that only keep in-process copies safe together (README, "When Redis hangs or comes back"):
 *
 * - An invalidation waits up to propagationTimeoutMs for the others' acks. A process that does not ack
 *   within it must already have stopped trusting its memory, which it does after three silent heartbeats;
 *   a bound at or below that returns while such a process may still answer from a stale copy.
 * - After Redis comes back, reads skip it for recoveryGraceMs while delayed invalidations land. A process
 *   sends its delayed invalidation once it sees Redis again: when its next reconnect attempt succeeds (up
 *   to reconnectMaxDelayMs later) or its breaker's next probe does (breakerProbeIntervalMs). A grace at or
 *   below either ends before that invalidation can land.
 */
function assertTimingRelations(o: Omit<ResolvedOptions, 'logger'>): void {
  const above = (name: string, value: number, otherName: string, other: number) => {
    if (value <= other)
      throw new CacheInputError(`createCache: ${name} (${value} ms) must be above ${otherName} (${other} ms)`)
  }
  above('propagationTimeoutMs', o.propagationTimeoutMs, 'three heartbeats, 3 × heartbeatMs', 3 * o.heartbeatMs)
  above('recoveryGraceMs', o.recoveryGraceMs, 'the reconnect backoff cap, reconnectMaxDelayMs', o.reconnectMaxDelayMs)
  above(
    'recoveryGraceMs',
    o.recoveryGraceMs,
    'the breaker probe interval, breakerProbeIntervalMs',
    o.breakerProbeIntervalMs,
  )
}
