import type { CoherentTier, InvalidationEvent } from '@guild/cache'
import { itemOf, type CheckResolver } from './check-item.js'
import type { RecentKeys } from './recent-keys.js'

/**
 * Refresh-ahead, into memory; it only refreshes (the memory tier drops what an invalidation names by
 * itself, with or without this). A permission change or a sync removes every answer of the guild (the
 * seed's rule), and the next callers would all miss. Told what an invalidation dropped (after the
 * writer's commit, so reads see the new data), it recomputes those answers, and those the invalidation
 * removed from Redis that callers here asked for in the last minute, in the background in one batched
 * query, and keeps them in memory unless another invalidation arrived meanwhile (the tier's stamp).
 *
 * Redis is left as the invalidation left it: its entries come back on demand, through the write guard,
 * exactly as the seed's strategy describes.
 */
export class RefreshAhead {
  constructor(
    private readonly source: CheckResolver,
    private readonly tier: CoherentTier<boolean>,
    private readonly recent: RecentKeys,
    private readonly max: number,
  ) {}

  /** For the tier's `onDrop`: what `event` dropped from memory. */
  heard(dropped: readonly string[], event: InvalidationEvent): void {
    if (event.scope === 'all') return
    const removed = (event.scope === 'guild' || event.scope === 'user') && event.removed ? event.removed : []
    const asked = this.recent.recent(removed.filter((k) => k.startsWith('permission:')))
    const keys = [...new Set([...dropped, ...asked])].slice(0, this.max)
    if (keys.length === 0) return
    const since = this.tier.stamp()
    setImmediate(() => {
      this.source.resolve(keys.map(itemOf), 'refresh').then(
        (answers) => keys.forEach((key, i) => this.tier.set(key, answers[i] as boolean, since)),
        // Opportunistic: a failed refresh leaves the next caller to miss, as without it.
        () => undefined,
      )
    })
  }
}
