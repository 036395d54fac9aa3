import type { Cache, InvalidationEvent } from '@guild/cache'
import type { CheckItem } from './check-item.js'
import type { L1Resolver } from './l1-resolver.js'
import type { RedisResolver } from './redis-resolver.js'

/**
 * Refresh-ahead after an invalidation. A permission change or a sync removes every answer of the guild
 * (the seed's rule); the next callers would all miss. Instead, once an invalidation is heard (after the
 * writer's commit, so reads see the new data), the answers it dropped from this process's memory and
 * those it removed from Redis that callers here asked for in the last minute are recomputed in the
 * background, in one batched query, and written back under the write guard. Every instance hears the event; the write guard's leases split the work, so
 * each answer is computed once. Answers this process was serving from memory go back into memory,
 * unless another invalidation arrived meanwhile.
 */
export class RefreshAhead {
  constructor(
    cache: Cache,
    private readonly redis: RedisResolver,
    private readonly l1: L1Resolver | undefined,
    private readonly max: number,
    private readonly epoch: () => number,
  ) {
    cache.onInvalidate((event) => this.#heard(event))
  }

  #heard(event: InvalidationEvent): void {
    const dropped = this.l1?.store.drop(event) ?? []
    if (event.scope === 'all' || this.max === 0) return
    const removed = (event.scope === 'guild' || event.scope === 'user') && event.removed ? event.removed : []
    // Not everything removed: only what callers asked for lately. Recomputing a guild's every answer on
    // each change would cost more than the misses it saves.
    const asked = this.redis.recent.recent(removed.filter((k) => k.startsWith('permission:')))
    const keys = [...new Set([...dropped, ...asked])].slice(0, this.max)
    if (keys.length === 0) return
    const epoch = this.epoch()
    setImmediate(() => {
      this.redis.refresh(keys.map(itemOf)).then(
        (answers) => this.l1?.rememberAll(answers, dropped, epoch),
        // Opportunistic: a failed refresh leaves the next caller to miss, as without it.
        () => undefined,
      )
    })
  }
}

/** The check a permission key names. */
function itemOf(key: string): CheckItem {
  const [, guild, bnet, tool] = key.split(':')
  return { guildId: Number(guild), bnetId: Number(bnet), tool: tool as string }
}
