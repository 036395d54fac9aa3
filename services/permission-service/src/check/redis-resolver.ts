import { TTL, type Cache } from '@guild/cache'
import { itemOf, keyOf, type CheckItem, type CheckResolver, type Purpose } from './check-item.js'
import type { CheckCounters } from './counters.js'
import type { PendingRefills } from './pending-refills.js'

interface StoredCheck {
  has_access: boolean
}

/**
 * Second layer: `permission:{guild}:{bnet}:{tool}` in Redis for 300 s, through @guild/cache, whose
 * read-through gives single-flight, the cross-process load lock and the write guard. With Redis down
 * or disabled the cache hands straight to the next layer, so the caller sees no error.
 */
export class RedisResolver implements CheckResolver {
  constructor(
    private readonly next: CheckResolver,
    private readonly cache: Cache,
    private readonly counters: CheckCounters,
    /** Answers an invalidation removed, filled back alongside the next check of their guild; undefined: none. */
    private readonly refills?: PendingRefills,
  ) {}

  async resolve(items: readonly CheckItem[], purpose: Purpose = 'answer'): Promise<boolean[]> {
    const prefetch = this.#prefetchFor(items)
    if (items.length === 1 && prefetch === undefined) {
      const item = items[0] as CheckItem
      let loaded = false
      const answer = await this.cache.getOrSet(
        keyOf(item),
        async () => {
          loaded = true
          return { has_access: (await this.next.resolve([item], purpose))[0] === true }
        },
        TTL.permission,
      )
      if (purpose === 'answer' && !loaded) this.counters.hit('redis', 1)
      return [readAnswer(answer)]
    }
    const byKey = new Map(items.map((item) => [keyOf(item), item]))
    let loaded = 0
    const load = async (wanted: readonly string[]): Promise<StoredCheck[]> => {
      const asked = wanted.filter((key) => byKey.has(key)).length
      loaded += asked
      if (asked === wanted.length)
        return (
          await this.next.resolve(
            wanted.map((key) => byKey.get(key) as CheckItem),
            purpose,
          )
        ).map(stored)
      // Refills ride along: one query for all, but only the asked ones count as answered by the database.
      const answers = await this.next.resolve(
        wanted.map((key) => byKey.get(key) ?? itemOf(key)),
        'refresh',
      )
      if (purpose === 'answer') this.counters.hit('db', asked)
      return answers.map(stored)
    }
    const answers = await this.cache.getOrSetMany([...byKey.keys()], load, TTL.permission, { prefetch: prefetch ?? [] })
    const byAnswer = new Map([...byKey.keys()].map((key, i) => [key, answers[i] as StoredCheck]))
    if (purpose === 'answer') this.counters.hit('redis', items.length - loaded)
    return items.map((item) => readAnswer(byAnswer.get(keyOf(item)) as StoredCheck))
  }

  /**
   * The refills waiting in the guilds of `items`, taken (each is handed over once), or undefined. A batch
   * over many guilds takes guilds until it holds one guild's worth; the others wait for their next check.
   */
  #prefetchFor(items: readonly CheckItem[]): string[] | undefined {
    if (this.refills === undefined || this.refills.size === 0) return undefined
    let prefetch: string[] | undefined
    for (const item of items) {
      if (prefetch !== undefined && prefetch.length >= this.refills.perGuild) break
      const keys = this.refills.take(item.guildId)
      if (keys !== undefined) prefetch = prefetch ? prefetch.concat(keys) : keys
    }
    return prefetch
  }
}

function stored(has_access: boolean): StoredCheck {
  return { has_access }
}

/** An entry someone else wrote without a boolean has_access is no answer: fail closed. */
function readAnswer(stored: StoredCheck): boolean {
  return stored.has_access === true
}
