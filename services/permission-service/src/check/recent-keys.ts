/**
 * Which answers this process was asked for lately (beyond its memory tier's few seconds): after an
 * invalidation, those are the ones worth recomputing ahead of the next caller. Keys only, bounded,
 * oldest first out; noted on the way past memory, never on a memory hit.
 */
export class RecentKeys {
  readonly #seen = new Map<string, number>()

  constructor(
    private readonly windowMs: number,
    private readonly max: number,
    private readonly now: () => number = () => performance.now(),
    /** How stale a noted time may be: a key asked for again may leave the window up to this much early. */
    private readonly resolutionMs = 1_000,
  ) {}

  note(key: string): void {
    const now = this.now()
    const at = this.#seen.get(key)
    // A hot key is noted on every check that reaches Redis; moving it to the back once per
    // `resolutionMs` keeps it as recent as the window needs, without a delete and an insert each time.
    if (at !== undefined && now - at < this.resolutionMs) return
    if (at !== undefined) this.#seen.delete(key)
    this.#seen.set(key, now)
    if (this.#seen.size > this.max) this.#seen.delete(this.#seen.keys().next().value as string)
  }

  /** Those of `keys` asked for within the window. */
  recent(keys: readonly string[]): string[] {
    const since = this.now() - this.windowMs
    return keys.filter((key) => {
      const at = this.#seen.get(key)
      return at !== undefined && at >= since
    })
  }
}
