import type { CoherentTier } from '@guild/cache'
import { keyOf, type CheckItem, type CheckResolver } from './check-item.js'
import type { CheckCounters } from './counters.js'

/**
 * First layer: answers from process memory, a CoherentTier of @guild/cache keyed like the Redis entries
 * (`permission:{guild}:{bnet}:{tool}`), so the bus's events name them directly.
 *
 * Staleness is the tier's job: it drops what every invalidation names (the bus delivers them here before
 * guild-api's write answers, since it waits for our ack), refuses a value computed across an
 * invalidation, and answers nothing while Redis, and so the bus, is down. This layer only reads it,
 * fills it with what the next layer answered, and counts its hits.
 */
export class L1Resolver implements CheckResolver {
  constructor(
    private readonly next: CheckResolver,
    readonly store: CoherentTier<boolean>,
    private readonly counters: CheckCounters,
  ) {}

  /** The hot path: answers a hit synchronously (no promise), or undefined on a miss. */
  peek(item: CheckItem): boolean | undefined {
    const hit = this.store.get(keyOf(item))
    if (hit !== undefined) this.counters.hit('l1', 1)
    return hit
  }

  async resolve(items: readonly CheckItem[]): Promise<boolean[]> {
    if (items.length === 1) return [await this.#resolveOne(items[0] as CheckItem)]
    const keys = items.map(keyOf)
    const answers: (boolean | undefined)[] = keys.map((key) => this.store.get(key))
    const missing = items.filter((_, i) => answers[i] === undefined)
    this.counters.hit('l1', items.length - missing.length)
    if (missing.length === 0) return answers as boolean[]
    const since = this.store.stamp()
    const loaded = await this.next.resolve(missing)
    let j = 0
    return answers.map((answer, i) => {
      if (answer !== undefined) return answer
      const value = loaded[j++] as boolean
      this.store.set(keys[i] as string, value, since)
      return value
    })
  }

  /** One check, kept free of array work: one lookup on a hit. */
  async #resolveOne(item: CheckItem): Promise<boolean> {
    const key = keyOf(item)
    const hit = this.store.get(key)
    if (hit !== undefined) {
      this.counters.hit('l1', 1)
      return hit
    }
    const since = this.store.stamp()
    const [value] = await this.next.resolve([item])
    this.store.set(key, value as boolean, since)
    return value as boolean
  }
}
