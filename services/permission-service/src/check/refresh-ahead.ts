import type { Cache, InvalidationEvent } from '@guild/cache'
import { itemOf, type CheckResolver } from './check-item.js'
import type { L1Resolver } from './l1-resolver.js'
import type { RecentKeys } from './recent-keys.js'

/**
 * Refresh-ahead, into memory. A permission change or a sync removes every answer of the guild (the
 * seed's rule), and the next callers would all miss. Once an invalidation is heard (after the writer's
 * commit, so reads see the new data), the answers this process dropped from memory, and those the
 * invalidation removed from Redis that callers here asked for in the last minute, are recomputed in the
 * background in one batched query and kept in memory, unless another invalidation arrived meanwhile.
 *
 * Redis is left as the invalidation left it: its entries come back on demand, through the write guard,
 * exactly as the seed's strategy describes.
 */
export class RefreshAhead {
  constructor(
    cache: Cache,
    private readonly source: CheckResolver,
    private readonly l1: L1Resolver,
    private readonly recent: RecentKeys,
    private readonly max: number,
    private readonly epoch: () => number,
  ) {
    cache.onInvalidate((event) => this.#heard(event))
  }

  #heard(event: InvalidationEvent): void {
    const dropped = this.l1.store.drop(event)
    if (event.scope === 'all' || this.max === 0) return
    const removed = (event.scope === 'guild' || event.scope === 'user') && event.removed ? event.removed : []
    const asked = this.recent.recent(removed.filter((k) => k.startsWith('permission:')))
    const keys = [...new Set([...dropped, ...asked])].slice(0, this.max)
    if (keys.length === 0) return
    const epoch = this.epoch()
    setImmediate(() => {
      this.source.resolve(keys.map(itemOf), 'refresh').then(
        (answers) => this.l1.rememberAll(new Map(keys.map((key, i) => [key, answers[i] as boolean])), keys, epoch),
        // Opportunistic: a failed refresh leaves the next caller to miss, as without it.
        () => undefined,
      )
    })
  }
}
