import type { Cache } from '@guild/cache'
import type { CheckItem, CheckResolver } from './check-item.js'
import type { CheckCounters } from './counters.js'
import { L1Store } from './l1-store.js'

/**
 * First layer: answers from process memory. Entries are keyed like their Redis entries
 * (`permission:{guild}:{bnet}:{tool}`), so the bus's events name them directly.
 *
 * Staleness: the cache's bus delivers every invalidation here before guild-api's write answers (it
 * waits for our ack), so with Redis up no stale entry outlives a change. A value computed while an
 * invalidation was going on is not stored (the epoch moved). With Redis down the TTL bounds staleness.
 */
export class L1Resolver implements CheckResolver {
  readonly store: L1Store

  constructor(
    private readonly next: CheckResolver,
    private readonly cache: Cache,
    private readonly counters: CheckCounters,
    options: { ttlMs: number; max: number },
  ) {
    this.store = new L1Store(options.ttlMs, options.max)
    cache.onInvalidate((event) => this.store.drop(event))
  }

  async resolve(items: readonly CheckItem[]): Promise<boolean[]> {
    if (items.length === 1) return [await this.resolveOne(items[0] as CheckItem)]
    const answers: (boolean | undefined)[] = items.map((item) => this.store.get(keyOf(item)))
    const missing = items.filter((_, i) => answers[i] === undefined)
    this.counters.hit('l1', items.length - missing.length)
    if (missing.length === 0) return answers as boolean[]
    const epoch = this.cache.epoch()
    const loaded = await this.next.resolve(missing)
    const store = this.cache.epoch() === epoch
    let j = 0
    return answers.map((answer, i) => {
      if (answer !== undefined) return answer
      const value = loaded[j++] as boolean
      if (store) this.#remember(items[i] as CheckItem, value)
      return value
    })
  }

  /** The hot path: answers a hit synchronously (no promise), or undefined on a miss. */
  peek(item: CheckItem): boolean | undefined {
    const hit = this.store.get(keyOf(item))
    if (hit !== undefined) this.counters.hit('l1', 1)
    return hit
  }

  /** One check, kept free of array work: one lookup on a hit. */
  async resolveOne(item: CheckItem): Promise<boolean> {
    const key = keyOf(item)
    const hit = this.store.get(key)
    if (hit !== undefined) {
      this.counters.hit('l1', 1)
      return hit
    }
    const epoch = this.cache.epoch()
    const [value] = await this.next.resolve([item])
    if (this.cache.epoch() === epoch) this.store.set(key, item.guildId, item.bnetId, value as boolean)
    return value as boolean
  }

  #remember(item: CheckItem, value: boolean): void {
    this.store.set(keyOf(item), item.guildId, item.bnetId, value)
  }
}

/** The Redis key of a check. Items reaching the chain were validated by the route (and the cache validates again before Redis). */
export function keyOf(item: CheckItem): string {
  return `permission:${item.guildId}:${item.bnetId}:${item.tool}`
}
