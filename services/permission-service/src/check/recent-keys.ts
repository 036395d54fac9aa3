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
  ) {}

  note(key: string): void {
    this.#seen.delete(key)
    this.#seen.set(key, this.now())
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
