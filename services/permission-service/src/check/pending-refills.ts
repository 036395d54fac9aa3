import type { InvalidationEvent } from '@guild/cache'
import { itemOf, keyOf, type CheckItem } from './check-item.js'

interface Pending {
  keys: Set<string>
  at: number
}

/**
 * Refill on demand. A permission change or a sync removes every answer of its guild from Redis (the
 * seed's rule), and the event says which answers it removed. Kept here per guild, they are filled back
 * by the first check of that guild that reaches Redis, alongside its own answer (Cache.getOrSetMany's
 * prefetch): one lease step, one query, one guarded write, instead of each answer missing on its own
 * later. The answers are computed from the data as it is after the change, under the write guard, so
 * nothing computed before an invalidation can land after it; and only what Redis held comes back.
 *
 * Bounded: at most `perGuild` keys a guild, `total` keys in all (the oldest guild goes first), and
 * nothing older than `maxAgeMs` (the answers' own TTL: they would have expired by then anyway).
 */
export class PendingRefills {
  readonly #byGuild = new Map<number, Pending>()
  #inFlight: { guild: number; keys: readonly string[]; until: number }[] = []
  #size = 0

  constructor(
    readonly perGuild: number,
    private readonly total: number,
    private readonly maxAgeMs: number,
    private readonly inFlightMs = 2_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get size(): number {
    return this.#size
  }

  heard(event: InvalidationEvent): void {
    if (event.scope === 'all') {
      this.#byGuild.clear()
      this.#inFlight.length = 0
      this.#size = 0
      return
    }
    if (event.scope !== 'guild' && event.scope !== 'user') return
    const byGuild = new Map<number, string[]>()
    const note = (guild: number, key: string) => {
      const list = byGuild.get(guild)
      if (list) list.push(key)
      else byGuild.set(guild, [key])
    }
    for (const key of event.removed ?? []) {
      const check = checkOf(key)
      if (check !== undefined) note(check.guildId, key)
    }
    // A refill under way when this invalidation ran has its writes refused (its leases went), and its
    // keys were not in Redis to be named: without this they would drop out of every later refill.
    const now = this.now()
    this.#inFlight = this.#inFlight.filter((f) => f.until > now)
    for (const flight of this.#inFlight) {
      if (event.scope === 'guild' && flight.guild !== event.id) continue
      for (const key of flight.keys)
        if (event.scope === 'guild' || itemOf(key).bnetId === event.id) note(flight.guild, key)
    }
    for (const [guild, keys] of byGuild) this.#add(guild, keys)
  }

  /**
   * The keys waiting to be refilled in `guildId`, handed over once (or undefined). They count as in
   * flight for `inFlightMs` (the lease's TTL: no refill can land later), so an invalidation meanwhile
   * puts them back.
   */
  take(guildId: number): string[] | undefined {
    const pending = this.#byGuild.get(guildId)
    if (pending === undefined) return undefined
    this.#drop(guildId, pending)
    const now = this.now()
    if (now - pending.at > this.maxAgeMs) return undefined
    const keys = [...pending.keys]
    this.#inFlight.push({ guild: guildId, keys, until: now + this.inFlightMs })
    return keys
  }

  /** Merged with what is still pending there; the guild becomes the newest (last to be evicted). */
  #add(guild: number, keys: readonly string[]): void {
    const pending = this.#byGuild.get(guild) ?? { keys: new Set<string>(), at: 0 }
    this.#byGuild.delete(guild)
    pending.at = this.now()
    this.#byGuild.set(guild, pending)
    for (const key of keys) {
      if (pending.keys.size >= this.perGuild) break
      if (pending.keys.has(key)) continue
      pending.keys.add(key)
      this.#size++
    }
    while (this.#size > this.total) {
      const [oldest, entry] = this.#byGuild.entries().next().value as [number, Pending]
      this.#drop(oldest, entry)
    }
  }

  #drop(guild: number, pending: Pending): void {
    this.#byGuild.delete(guild)
    this.#size -= pending.keys.size
  }
}

/**
 * The check a `permission:{guild}:{bnet}:{tool}` key names, if the key is exactly the one the cache's own
 * builder makes for it (no `007`, `1e3`, bad tool or extra part), else undefined: other keys are not
 * refilled here, and a malformed name (the bus is Redis pub/sub) must not reach the query, where it
 * would fail the asked check along with it.
 */
function checkOf(key: string): CheckItem | undefined {
  if (!key.startsWith('permission:')) return undefined
  const item = itemOf(key)
  try {
    return keyOf(item) === key ? item : undefined
  } catch {
    // The builder refuses ids and tools outside the contract.
    return undefined
  }
}
