import { CacheInputError } from './errors.js'
import type { CacheLogger, CacheOptions } from './types.js'

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
  invalidationOutwaitsSilence: boolean
  errorLogIntervalMs: number
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
  if (!Number.isInteger(v) || v < min) throw new CacheInputError(`createCache: ${name} must be a whole number >= ${min}, got ${String(v)}`)
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
  if (/[\s{}]/.test(busChannel)) throw new CacheInputError('createCache: busChannel must not contain whitespace or braces')
  return {
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
    invalidationOutwaitsSilence: options.invalidationOutwaitsSilence === true,
    memory: {
      ttlMs: whole(options.memory?.ttlMs, 0, 'memory.ttlMs', 0),
      max: whole(options.memory?.max, 10_000, 'memory.max', 1),
    },
    errorLogIntervalMs: whole(options.errorLogIntervalMs, 10_000, 'errorLogIntervalMs', 0),
    logger: options.logger ?? quietLogger,
  }
}
