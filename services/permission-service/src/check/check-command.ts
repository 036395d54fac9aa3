import { TTL, type Cache } from '@guild/cache'
import type { DbHandle } from '@guild/db'
import type { Registry } from 'prom-client'
import type { CheckItem, CheckResolver } from './check-item.js'
import { CheckCounters } from './counters.js'
import { DbResolver } from './db-resolver.js'
import { L1Resolver } from './l1-resolver.js'
import { PendingRefills } from './pending-refills.js'
import { RedisResolver } from './redis-resolver.js'
import { RefreshAhead } from './refresh-ahead.js'

export interface CheckOptions {
  /** 0 turns the in-process tier off. */
  l1TtlMs: number
  l1Max: number
  dbTimeoutMs: number
  /** Most answers recomputed after one invalidation; 0 turns refresh-ahead off. */
  refreshMax?: number
  /** Most answers of one guild refilled into Redis by its next check after an invalidation; 0 turns it off. */
  refillMax?: number
}

/**
 * The check command: memory, then Redis, then the database, each a resolver wrapping the next.
 * Routes validate input and call `check`/`checkMany`; they never reach a layer directly.
 */
export class CheckCommand {
  readonly counters: CheckCounters
  readonly db: DbResolver
  readonly l1: L1Resolver | undefined
  readonly #first: CheckResolver

  constructor(cache: Cache, db: DbHandle, registry: Registry, options: CheckOptions) {
    this.counters = new CheckCounters(registry)
    this.db = new DbResolver(db, this.counters, options.dbTimeoutMs)
    const refillMax = options.refillMax ?? 1_000
    // No refill can land later than a lease lives after it started (the cache's lockTtlMs).
    const refills = refillMax > 0 ? new PendingRefills(refillMax, 100_000, TTL.permission * 1_000, cache.lockTtlMs) : undefined
    if (refills) cache.onInvalidate((event) => refills.heard(event))
    const redis = new RedisResolver(this.db, cache, this.counters, refills)
    this.l1 = options.l1TtlMs > 0 ? new L1Resolver(redis, cache, this.counters, { ttlMs: options.l1TtlMs, max: options.l1Max }) : undefined
    this.#first = this.l1 ?? redis
    if (this.l1) new RefreshAhead(cache, this.db, this.l1, redis.recent, options.refreshMax ?? 1_000, () => cache.epoch())
  }

  /** A check answered from memory without waiting, or undefined when it needs the other layers. */
  peek(item: CheckItem): boolean | undefined {
    return this.l1?.peek(item)
  }

  async check(item: CheckItem): Promise<boolean> {
    if (this.l1) return await this.l1.resolveOne(item)
    const [answer] = await this.#first.resolve([item])
    return answer === true
  }

  checkMany(items: readonly CheckItem[]): Promise<boolean[]> {
    return this.#first.resolve(items)
  }
}
