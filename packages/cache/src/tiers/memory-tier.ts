import { globToRegExp } from '../keys/glob.js'
import { namespaceOf, scopesOfKey } from '../keys/keys.js'
import type { InvalidationEvent } from '../types.js'

interface Entry<V> {
  value: V
  /** The key's metrics namespace, worked out when stored rather than on every hit. */
  namespace: string
  expiresAt: number
  guild: number | undefined
  user: number | undefined
}

/**
 * An in-process tier in front of Redis (bentocache's L1): a bounded map with a short TTL, indexed by
 * the guild and the user each key belongs to, so that an invalidation drops exactly its entries in
 * time proportional to them. Eviction is oldest-first (a Map keeps insertion order): with a TTL of
 * seconds, recency hardly differs from age, and a hit costs one lookup and no reordering.
 *
 * It is only as fresh as the invalidation bus that feeds `drop`; its owner must stop using it while
 * the bus is not running (see Cache.propagating).
 */
export class MemoryTier<V> {
  readonly #entries = new Map<string, Entry<V>>()
  readonly #byGuild = new Map<number, Set<string>>()
  readonly #byUser = new Map<number, Set<string>>()
  /** Session entries whose owner is unknown: a user event must drop them all, to be safe. */
  readonly #unownedSessions = new Set<string>()

  constructor(
    private readonly ttlMs: number,
    private readonly max: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get size(): number {
    return this.#entries.size
  }

  get(key: string): V | undefined {
    return this.lookup(key)?.value
  }

  /** The live entry under `key`: its value and its key's namespace (for the hit counters). */
  lookup(key: string): Readonly<Pick<Entry<V>, 'value' | 'namespace'>> | undefined {
    const entry = this.#entries.get(key)
    if (entry === undefined) return undefined
    if (entry.expiresAt <= this.now()) {
      this.#remove(key, entry)
      return undefined
    }
    return entry
  }

  /**
   * `until`: when the copied entry itself expires (on this tier's clock); the copy never outlives it, so
   * a short-lived entry is not served from memory after Redis has let it go.
   */
  set(key: string, value: V, owner?: number, until = Infinity): void {
    const previous = this.#entries.get(key)
    if (previous) this.#remove(key, previous)
    const expiresAt = Math.min(this.now() + this.ttlMs, until)
    if (expiresAt <= this.now()) return
    const scopes = scopesOfKey(key, owner)
    this.#entries.set(key, { value, namespace: namespaceOf(key), expiresAt, guild: scopes.guild, user: scopes.user })
    if (scopes.guild !== undefined) indexAdd(this.#byGuild, scopes.guild, key)
    if (scopes.user !== undefined) indexAdd(this.#byUser, scopes.user, key)
    else if (key.startsWith('user:session:')) this.#unownedSessions.add(key)
    if (this.#entries.size > this.max) {
      const oldest = this.#entries.keys().next().value as string
      this.#remove(oldest, this.#entries.get(oldest) as Entry<V>)
    }
  }

  /** Drops what an invalidation names; returns the keys that went. */
  drop(event: InvalidationEvent): string[] {
    switch (event.scope) {
      // A caller's own tag is named by no key and this tier does not record it: everything, to be safe.
      case 'tag':
      case 'all': {
        const all = [...this.#entries.keys()]
        this.clear()
        return all
      }
      case 'guild':
        return this.#dropAll(this.#byGuild.get(event.id))
      case 'user':
        return [...this.#dropAll(this.#byUser.get(event.id)), ...this.#dropAll(this.#unownedSessions)]
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
    this.#unownedSessions.clear()
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

  #remove(key: string, entry: Entry<V>): void {
    this.#entries.delete(key)
    if (entry.guild !== undefined) indexDelete(this.#byGuild, entry.guild, key)
    if (entry.user !== undefined) indexDelete(this.#byUser, entry.user, key)
    this.#unownedSessions.delete(key)
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
