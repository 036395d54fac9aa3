/** What the read step found, split by what happens next. */
export interface Classified<T> {
  /** Asked keys that hit, with their values. */
  found: Map<string, T>
  /** Asked keys that missed (or held what JSON cannot read). */
  missing: string[]
  /** Prefetch keys that missed: worth filling beside the asked ones. */
  extraMissing: string[]
}

/**
 * The classify step of getOrSetMany: each read key (`reading`, with `raws` in the same order) is a hit, a
 * miss, or a prefetch key to fill. `parse` gives undefined for a value JSON cannot read (a miss).
 * `counted` is told of each asked key's outcome (metrics, events).
 */
export function classify<T>(
  reading: readonly string[],
  raws: readonly (string | null | undefined)[],
  asked: ReadonlySet<string>,
  parse: (key: string, raw: string) => { value: T } | undefined,
  counted: (key: string, hit: boolean) => void,
): Classified<T> {
  const out: Classified<T> = { found: new Map(), missing: [], extraMissing: [] }
  reading.forEach((key, i) => {
    const raw = raws[i]
    const hit = raw == null ? undefined : parse(key, raw)
    if (!asked.has(key)) {
      if (hit === undefined) out.extraMissing.push(key)
    } else if (hit !== undefined) {
      out.found.set(key, hit.value)
      counted(key, true)
    } else {
      out.missing.push(key)
      counted(key, false)
    }
  })
  return out
}
