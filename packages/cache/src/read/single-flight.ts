/**
 * Concurrent calls for one key share one promise (1,000 callers → one loader call). An invalidation
 * `forget`s the keys it touches, so a caller arriving after it starts a fresh load instead of joining
 * one that read the data before the change.
 */
export class SingleFlight<T> {
  readonly #inflight = new Map<string, Promise<T>>()

  run(key: string, fn: () => Promise<T>): Promise<T> {
    const existing = this.#inflight.get(key)
    if (existing) return existing
    const promise: Promise<T> = Promise.resolve()
      .then(fn)
      .finally(() => {
        if (this.#inflight.get(key) === promise) this.#inflight.delete(key)
      })
    this.#inflight.set(key, promise)
    return promise
  }

  forget(affected: (key: string) => boolean): void {
    for (const key of this.#inflight.keys()) if (affected(key)) this.#inflight.delete(key)
  }

  get size(): number {
    return this.#inflight.size
  }
}
