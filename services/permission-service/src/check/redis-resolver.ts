import { keys, TTL, type Cache } from '@guild/cache'
import type { CheckItem, CheckResolver, Purpose } from './check-item.js'
import type { CheckCounters } from './counters.js'
import { RecentKeys } from './recent-keys.js'

interface StoredCheck {
  has_access: boolean
}

/**
 * Second layer: `permission:{guild}:{bnet}:{tool}` in Redis for 300 s, through @guild/cache, whose
 * read-through gives single-flight, the cross-process load lock and the write guard. With Redis down
 * or disabled the cache hands straight to the next layer, so the caller sees no error.
 */
export class RedisResolver implements CheckResolver {
  /** What callers asked this layer for lately: refresh-ahead recomputes those after an invalidation. */
  readonly recent = new RecentKeys(60_000, 100_000)

  constructor(
    private readonly next: CheckResolver,
    private readonly cache: Cache,
    private readonly counters: CheckCounters,
  ) {}

  async resolve(items: readonly CheckItem[], purpose: Purpose = 'answer'): Promise<boolean[]> {
    let loaded = 0
    const load = async (wanted: readonly CheckItem[]): Promise<StoredCheck[]> => {
      loaded += wanted.length
      return (await this.next.resolve(wanted, purpose)).map((has_access) => ({ has_access }))
    }
    let answers: StoredCheck[]
    if (purpose === 'answer') for (const item of items) this.recent.note(keyOf(item))
    if (items.length === 1) {
      const item = items[0] as CheckItem
      answers = [await this.cache.getOrSet(keyOf(item), async () => (await load([item]))[0] as StoredCheck, TTL.permission)]
    } else {
      const byKey = new Map(items.map((item) => [keyOf(item), item]))
      answers = await this.cache.getOrSetMany(
        items.map(keyOf),
        (missing) => load(missing.map((key) => byKey.get(key) as CheckItem)),
        TTL.permission,
      )
    }
    if (purpose === 'answer') this.counters.hit('redis', items.length - loaded)
    return answers.map(readAnswer)
  }
}

/** The contract's key, built (and validated) by the cache's own builder. */
function keyOf(item: CheckItem): string {
  return keys.permission(item.guildId, item.bnetId, item.tool)
}

/** An entry someone else wrote without a boolean has_access is no answer: fail closed. */
function readAnswer(stored: StoredCheck): boolean {
  return stored.has_access === true
}
