import type { Cache, InvalidationEvent } from '../types.js'
import { MemoryTier } from './memory-tier.js'

export interface CoherentTierOptions {
  /** How long (ms) an entry is kept; more than 0. */
  ttlMs: number
  /** The most entries kept; the oldest goes first beyond it. */
  max: number
}

/** When a value began to be computed (`stamp()`); `set` refuses it if an invalidation came since. */
export type TierStamp = number

/** Hears what an invalidation dropped from the tier, after it was dropped. */
export type DropListener = (dropped: readonly string[], event: InvalidationEvent) => void

/**
 * An in-process tier a service fills itself (permission-service's answers), kept coherent by the cache it
 * is made over: it owns its invalidation. Every invalidation the cache hears (this process's, another's
 * through the bus, and `{ scope: 'all' }` when the bus may have missed some) drops its entries before any
 * `onDrop` listener runs, whoever else listens or not. It answers only while the cache can vouch that it
 * hears every invalidation (Redis up, bus subscribed): otherwise `get` finds nothing and `set` stores
 * nothing. A value is stored only if no invalidation was heard since the `stamp()` taken before it was
 * computed, so nothing read before a change lands after it.
 */
export class CoherentTier<V> {
  readonly #store: MemoryTier<V>
  readonly #cache: Cache
  readonly #listeners = new Set<DropListener>()
  readonly #unsubscribe: () => void
  #stamp: TierStamp = 0

  constructor(cache: Cache, options: CoherentTierOptions) {
    this.#cache = cache
    this.#store = new MemoryTier<V>(options.ttlMs, options.max)
    this.#unsubscribe = cache.onInvalidate((event) => this.#heard(event))
  }

  /** Entries held, trusted or not. */
  get size(): number {
    return this.#store.size
  }

  /** True while every invalidation is known to reach this process: only then does the tier answer. */
  get trusted(): boolean {
    return this.#cache.propagating()
  }

  /** The live value under `key`, synchronously; undefined when there is none or the tier is not trusted now. */
  get(key: string): V | undefined {
    return this.trusted ? this.#store.get(key) : undefined
  }

  /** Take it before reading what a value is computed from; hand it to `set`. */
  stamp(): TierStamp {
    return this.#stamp
  }

  /** Stores `value` unless an invalidation was heard since `since` or the tier is not trusted; says whether it did. */
  set(key: string, value: V, since: TierStamp): boolean {
    if (since !== this.#stamp || !this.trusted) return false
    this.#store.set(key, value)
    return true
  }

  /** Listens to what each invalidation dropped (for refresh-ahead); returns the unsubscribe function. */
  onDrop(listener: DropListener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Stops listening to the cache and empties the tier. */
  close(): void {
    this.#unsubscribe()
    this.#listeners.clear()
    this.#store.clear()
  }

  #heard(event: InvalidationEvent): void {
    this.#stamp++
    const dropped = this.#store.drop(event)
    for (const listener of this.#listeners) listener(dropped, event)
  }
}
