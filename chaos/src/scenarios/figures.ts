import type { PhaseStats } from '../load/phase-stats.js'

/** One load target's figures in one fault scenario. */
export interface TargetFigures {
  before: PhaseStats
  during: PhaseStats
  after: PhaseStats
  /** Hit rate (hits over all) before and during the fault; null when nothing was counted. */
  hit_rate_before: number | null
  hit_rate_during: number | null
  /**
   * Seconds from the dependency's return until the hit rate is back (≥ 90% of before); null: not within the after
   * phase.
   */
  hit_rate_back_s: number | null
  /** Seconds from the dependency's return until every answer is 2xx again (0: at once). */
  all_2xx_after_s: number
}

/** A property the scenario checked, with what it saw and what it aims for. */
export interface Invariant {
  check: string
  observed: number | string
  aim: string
  ok: boolean
}

export interface FaultFigures {
  fault: string
  outage_s: number
  /**
   * How far the suite's own event loop fell behind (its timestamps are that uncertain), and the machine's 1-minute load
   * average at the end.
   */
  conditions?: RunConditions
  targets: Record<string, TargetFigures>
  invariants: Invariant[]
}

export function invariant(check: string, observed: number | string, aim: string, ok: boolean): Invariant {
  return { check, observed, aim, ok }
}

export interface RunConditions {
  runner_max_lag_ms: number
  load_average: number
}
