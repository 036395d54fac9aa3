import type { RedisClient } from './redis/connection.js'
import type { EarlyRefresh } from './read/early-refresh.js'
import type { ScriptCommands } from './redis/lua.js'
import type { CacheMetrics } from './observe/metrics.js'
import type { ResolvedOptions } from './options.js'
import type { RateLimitedLog } from './observe/rate-limited-log.js'
import type { RedisGate } from './redis/redis-gate.js'

/** What the cache's parts share; built once by `createCache`. */
export interface CacheContext {
  gate: RedisGate
  options: ResolvedOptions
  metrics: CacheMetrics
  log: RateLimitedLog
  early: EarlyRefresh
}

export type ScriptedClient = RedisClient & ScriptCommands

/** The gate's client with the write guard's scripts defined on it (see lua.ts). */
export function scripted(client: RedisClient): ScriptedClient {
  return client as ScriptedClient
}
