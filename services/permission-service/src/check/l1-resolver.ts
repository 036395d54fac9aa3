import { MemoryTier, type Cache } from '@guild/cache'
import type { CheckItem, CheckResolver } from './check-item.js'
import type { CheckCounters } from './counters.js'

/**
 * First layer: answers from process memory. Entries are keyed like their Redis entries
 * (`permission:{guild}:{bnet}:{tool}`), so the bus's events name them directly.
 *
 * Staleness: the cache's bus delivers every invalidation here before guild-api's write answers (it
 * waits for our ack), so no stale entry outlives a change. A value computed while an invalidation was
 * going on is not stored (the epoch moved). With Redis down there is no bus, and memory is not used.
 */
export class L1Resolver implements CheckResolver {
  readonly store: MemoryTier<boolean>

  constructor(
    private readonly next: CheckResolver,
    private readonly cache: Cache,
    private readonly counters: CheckCounters,
    options: { ttlMs: number; max: number },
  ) {
    // Fed by the check command's invalidation listener (refresh-ahead.ts), which also refreshes what it drops.
    this.store = new MemoryTier<boolean>(options.ttlMs, options.max)
  }

  /** Remembers answers computed elsewhere (refresh-ahead), unless an invalidation was heard since `epoch`. */
  rememberAll(answers: ReadonlyMap<string, boolean>, keys: Iterable<string>, epoch: number): void {
    if (this.cache.epoch() !== epoch || !this.#trusted) return
    for (const key of keys) {
      const answer = answers.get(key)
      if (answer !== undefined) this.store.set(key, answer)
    }
  }

  /**
   * Memory is trusted only while Redis is up: the bus that tells this process about invalidations runs
   * through it. Without it a rank change could go unseen here for a whole TTL, and the contract wants it
   * seen by the very next check, so then every check goes on to Redis (if any) and the database.
   */
  get #trusted(): boolean {
    return this.cache.propagating()
  }

  async resolve(items: readonly CheckItem[]): Promise<boolean[]> {
    if (!this.#trusted) return await this.next.resolve(items)
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
    if (!this.#trusted) return undefined
    const hit = this.store.get(keyOf(item))
    if (hit !== undefined) this.counters.hit('l1', 1)
    return hit
  }

  /** One check, kept free of array work: one lookup on a hit. */
  async resolveOne(item: CheckItem): Promise<boolean> {
    if (!this.#trusted) return (await this.next.resolve([item]))[0] as boolean
    const key = keyOf(item)
    const hit = this.store.get(key)
    if (hit !== undefined) {
      this.counters.hit('l1', 1)
      return hit
    }
    const epoch = this.cache.epoch()
    const [value] = await this.next.resolve([item])
    if (this.cache.epoch() === epoch) this.store.set(key, value as boolean)
    return value as boolean
  }

  #remember(item: CheckItem, value: boolean): void {
    this.store.set(keyOf(item), value)
  }
}

/** The Redis key of a check. Items reaching the chain were validated by the route (and the cache validates again before Redis). */
export function keyOf(item: CheckItem): string {
  return `permission:${item.guildId}:${item.bnetId}:${item.tool}`
}
