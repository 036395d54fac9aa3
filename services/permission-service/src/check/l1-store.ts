import type { InvalidationEvent } from '@guild/cache'
import { globToRegExp } from '@guild/cache'

interface Entry {
  allowed: boolean
  expiresAt: number
  guildId: number
  bnetId: number
}

/**
 * The in-process tier: a bounded map with a short TTL, indexed by guild and by user so that an
 * invalidation drops exactly its entries in time proportional to them, not to the whole tier.
 * Eviction is oldest-first (a Map keeps insertion order): with a TTL of seconds, recency hardly differs
 * from age, and a hit costs one lookup and no reordering.
 */
export class L1Store {
  readonly #entries = new Map<string, Entry>()
  readonly #byGuild = new Map<number, Set<string>>()
  readonly #byUser = new Map<number, Set<string>>()

  constructor(
    private readonly ttlMs: number,
    private readonly max: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get size(): number {
    return this.#entries.size
  }

  get(key: string): boolean | undefined {
    const entry = this.#entries.get(key)
    if (entry === undefined) return undefined
    if (entry.expiresAt <= this.now()) {
      this.#remove(key, entry)
      return undefined
    }
    return entry.allowed
  }

  set(key: string, guildId: number, bnetId: number, allowed: boolean): void {
    const previous = this.#entries.get(key)
    if (previous) this.#remove(key, previous)
    this.#entries.set(key, { allowed, expiresAt: this.now() + this.ttlMs, guildId, bnetId })
    indexAdd(this.#byGuild, guildId, key)
    indexAdd(this.#byUser, bnetId, key)
    if (this.#entries.size > this.max) {
      const oldest = this.#entries.keys().next().value as string
      this.#remove(oldest, this.#entries.get(oldest) as Entry)
    }
  }

  /** Drops what an invalidation names; returns the keys that went. */
  drop(event: InvalidationEvent): string[] {
    switch (event.scope) {
      case 'all': {
        const all = [...this.#entries.keys()]
        this.clear()
        return all
      }
      case 'guild':
        return this.#dropAll(this.#byGuild.get(event.id))
      case 'user':
        return this.#dropAll(this.#byUser.get(event.id))
      case 'key':
        return this.#dropAll(new Set([event.key]))
      case 'pattern': {
        const re = globToRegExp(event.pattern)
        return this.#dropAll(new Set([...this.#entries.keys()].filter((k) => re.test(k))))
      }
    }
  }

  clear(): void {
    this.#entries.clear()
    this.#byGuild.clear()
    this.#byUser.clear()
  }

  #dropAll(keys: Set<string> | undefined): string[] {
    if (!keys) return []
    const dropped: string[] = []
    for (const key of [...keys]) {
      const entry = this.#entries.get(key)
      if (entry) {
        this.#remove(key, entry)
        dropped.push(key)
      }
    }
    return dropped
  }

  #remove(key: string, entry: Entry): void {
    this.#entries.delete(key)
    indexDelete(this.#byGuild, entry.guildId, key)
    indexDelete(this.#byUser, entry.bnetId, key)
  }
}

function indexAdd(index: Map<number, Set<string>>, id: number, key: string): void {
  const set = index.get(id)
  if (set) set.add(key)
  else index.set(id, new Set([key]))
}

function indexDelete(index: Map<number, Set<string>>, id: number, key: string): void {
  const set = index.get(id)
  if (!set) return
  set.delete(key)
  if (set.size === 0) index.delete(id)
}
