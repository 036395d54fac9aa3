/** How long each phase of a fault scenario lasts. */
export interface Timing {
  /** Load before anything is measured (connections opened, caches filled). */
  warmupMs: number
  beforeMs: number
  /** How long the dependency stays down (killed, stopped) or hanging. */
  outageMs: number
  afterMs: number
}

export function timing(quick: boolean): Timing {
  return quick
    ? { warmupMs: 1_000, beforeMs: 2_000, outageMs: 3_000, afterMs: 5_000 }
    : { warmupMs: 2_000, beforeMs: 5_000, outageMs: 10_000, afterMs: 10_000 }
}

/** The hanging Redis lasts 5 s (3 s in the quick pass). */
export function pauseMs(quick: boolean): number {
  return quick ? 3_000 : 5_000
}
