import { CoherentTier, TTL, type Cache } from '@guild/cache'
import type { DbHandle } from '@guild/db'
import type { CheckResolver } from './check-item.js'
import type { CheckCounters } from './counters.js'
import { DbResolver } from './db-resolver.js'
import { L1Resolver } from './l1-resolver.js'
import { PendingRefills } from './pending-refills.js'
import { RecentKeys } from './recent-keys.js'
import { RecentlyAskedResolver } from './recently-asked-resolver.js'
import { RedisResolver } from './redis-resolver.js'
import { RefreshAhead } from './refresh-ahead.js'

export interface ChainOptions {
  /** 0 turns the in-process tier off. */
  l1TtlMs: number
  l1Max: number
  dbTimeoutMs: number
  /** The cache's lease lifetime (its `lockTtlMs` option): no refill lands later than this after it started. */
  leaseTtlMs: number
  /** Most answers recomputed after one invalidation; 0 turns refresh-ahead off. */
  refreshMax?: number
  /** Most answers of one guild refilled into Redis by its next check after an invalidation; 0 turns it off. */
  refillMax?: number
}

export interface CheckChain {
  /** The layer every check enters by. */
  first: CheckResolver
  db: DbResolver
  l1: L1Resolver | undefined
}

/**
 * The one place the check's layers are assembled (OpenFGA's CheckResolverOrderedBuilder): memory, then
 * the note of what was asked, then Redis, then the database, each knowing only the next. The features
 * that listen to invalidations are wired here too, each for its own job: the memory tier drops its own
 * entries; refills and refresh-ahead only fill.
 */
export function buildCheckChain(
  cache: Cache,
  db: DbHandle,
  counters: CheckCounters,
  options: ChainOptions,
): CheckChain {
  const dbLayer = new DbResolver(db, counters, options.dbTimeoutMs)
  const refillMax = options.refillMax ?? 1_000
  const refills =
    refillMax > 0 ? new PendingRefills(refillMax, 100_000, TTL.permission * 1_000, options.leaseTtlMs) : undefined
  if (refills) cache.onInvalidate((event) => refills.heard(event))
  const redis = new RedisResolver(dbLayer, cache, counters, refills)
  if (options.l1TtlMs <= 0) return { first: redis, db: dbLayer, l1: undefined }

  const recent = new RecentKeys(60_000, 100_000)
  const tier = new CoherentTier<boolean>(cache, { ttlMs: options.l1TtlMs, max: options.l1Max })
  const l1 = new L1Resolver(new RecentlyAskedResolver(redis, recent), tier, counters)
  const refreshMax = options.refreshMax ?? 1_000
  if (refreshMax > 0) {
    const refresh = new RefreshAhead(dbLayer, tier, recent, refreshMax)
    tier.onDrop((dropped, event) => refresh.heard(dropped, event))
  }
  return { first: l1, db: dbLayer, l1 }
}
