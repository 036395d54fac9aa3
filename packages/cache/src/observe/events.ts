import type { CacheEventMap, CacheEventName } from '../types.js'

type Listener<E extends CacheEventName> = (payload: CacheEventMap[E]) => void

/**
 * The callers' events (`cache.on`). The read path asks `wants(event)` before building a payload, so a
 * hit with nobody listening allocates nothing. A listener that throws is logged, never the caller's error.
 */
export class CacheEvents {
  // Keyed by event; each set holds that event's listeners (the map's type cannot say so per key).
  readonly #listeners = new Map<CacheEventName, Set<(payload: never) => void>>()

  constructor(private readonly onListenerError: (err: unknown) => void) {}

  on<E extends CacheEventName>(event: E, listener: Listener<E>): () => void {
    let set = this.#listeners.get(event)
    if (set === undefined) {
      set = new Set()
      this.#listeners.set(event, set)
    }
    const listeners = set
    listeners.add(listener)
    return () => {
      listeners.delete(listener)
      if (listeners.size === 0 && this.#listeners.get(event) === listeners) this.#listeners.delete(event)
    }
  }

  wants(event: CacheEventName): boolean {
    return this.#listeners.has(event)
  }

  emit<E extends CacheEventName>(event: E, payload: CacheEventMap[E]): void {
    const set = this.#listeners.get(event) as Set<Listener<E>> | undefined
    if (set === undefined) return
    for (const listener of set) {
      try {
        listener(payload)
      } catch (err) {
        this.onListenerError(err)
      }
    }
  }
}
