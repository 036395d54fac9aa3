import { percentile, round } from '../load/phase-stats.js'
import type { RaceCheck } from './checkers.js'

/** One revoke-and-restore cycle, timed on the runner's clock. */
export interface Cycle {
  revokeSent: number
  revokeAnswered: number
  revokeStatus: number
  restoreSent: number
  restoreAnswered: number
  restoreStatus: number
  /** What the revoke and the restore answered (a sync's counts), for incidents. */
  revokeBody?: string
  restoreBody?: string
}

/**
 * A cycle where a check got the wrong answer: which, how many, when (ms after the change answered), on which instances.
 */
export interface Incident {
  cycle: number
  kind: 'stale allow' | 'stale denial'
  checks: number
  first_ms: number
  last_ms: number
  instances: number[]
  change: string
}

export interface RaceFigures {
  cycles: number
  checks: number
  checks_per_s: number
  /** Checks that did not answer 200. */
  check_errors: number
  /** Revokes or restores that did not answer 200 (their cycles are left out). */
  failed_changes: number
  /** Allows of checks that started after the revoke had answered and answered before the restore was sent: bugs. */
  stale_allows_after_answer: number
  /** Cycles with at least one such allow. */
  stale_cycles: number
  /** Denials of checks that started after the restore had answered and answered before the next revoke was sent. */
  stale_denials_after_answer: number
  /**
   * Allows answered after the revoke's answer by checks already in flight when it answered (expected, and what the
   * window measures).
   */
  in_flight_allows: number
  /** How long after the revoke's answer the last allow came, per cycle (0 when none did): p50, p99, max. */
  window_ms: { p50: number; p99: number; max: number }
  /** How long the revoke took to answer: p50, p99, max. */
  change_ms: { p50: number; p99: number; max: number }
  /** The cycles behind the stale counts, at most 20. */
  incidents: Incident[]
}

/**
 * Reads the race: within each cycle the revoked span is [revoke answered, restore sent). A check that
 * started and answered inside it can only be right with a "no"; one that straddles an edge could
 * legitimately say either and is left out of the counts (but not of the window).
 */
export function analyseRace(cycles: readonly Cycle[], checks: readonly RaceCheck[]): RaceFigures {
  const ok = cycles.filter((c) => c.revokeStatus === 200 && c.restoreStatus === 200)
  // By answer time, so each cycle reads only the checks that answered within it.
  const answered = checks.filter((c) => c.status === 200).sort((a, b) => a.end - b.end)
  const answeredIn = (from: number, to: number) =>
    answered.slice(firstEndingAtOrAfter(answered, from), firstEndingAtOrAfter(answered, to))
  let staleAllows = 0
  let staleCycles = 0
  let staleDenials = 0
  let inFlight = 0
  const windows: number[] = []
  const incidents: Incident[] = []
  const incident = (
    cycle: Cycle,
    kind: Incident['kind'],
    wrong: RaceCheck[],
    from: number,
    change: string | undefined,
  ) => {
    if (wrong.length === 0 || incidents.length >= 20) return
    incidents.push({
      cycle: cycles.indexOf(cycle),
      kind,
      checks: wrong.length,
      first_ms: Math.round(Math.min(...wrong.slice(0, 1000).map((c) => c.start)) - from),
      last_ms: Math.round(Math.max(...wrong.slice(-1000).map((c) => c.end)) - from),
      instances: [...new Set(wrong.map((c) => c.instance))],
      change: (change ?? '').slice(0, 120),
    })
  }
  for (const cycle of ok) {
    const nextRevokeSent = cycles[cycles.indexOf(cycle) + 1]?.revokeSent ?? Number.POSITIVE_INFINITY
    const stale: RaceCheck[] = []
    let lastAllow = cycle.revokeAnswered
    for (const c of answeredIn(cycle.revokeAnswered, cycle.restoreSent)) {
      if (c.allowed !== true) continue
      lastAllow = Math.max(lastAllow, c.end)
      if (c.start >= cycle.revokeAnswered) stale.push(c)
      else inFlight++
    }
    const denied = answeredIn(cycle.restoreAnswered, nextRevokeSent).filter(
      (c) => c.start >= cycle.restoreAnswered && c.allowed === false,
    )
    staleDenials += denied.length
    staleAllows += stale.length
    if (stale.length > 0) staleCycles++
    incident(cycle, 'stale allow', stale, cycle.revokeAnswered, cycle.revokeBody)
    incident(cycle, 'stale denial', denied, cycle.restoreAnswered, cycle.restoreBody)
    windows.push(lastAllow - cycle.revokeAnswered)
  }
  const sortedWindows = windows.sort((a, b) => a - b)
  const changes = ok.map((c) => c.revokeAnswered - c.revokeSent).sort((a, b) => a - b)
  // A loop, not Math.max(...): hundreds of thousands of checks overflow the argument list.
  let first = Number.POSITIVE_INFINITY
  let last = Number.NEGATIVE_INFINITY
  for (const c of checks) {
    first = Math.min(first, c.start)
    last = Math.max(last, c.end)
  }
  const span = checks.length === 0 ? 0 : last - first
  return {
    cycles: cycles.length,
    checks: checks.length,
    checks_per_s: span > 0 ? Math.round(checks.length / (span / 1000)) : 0,
    check_errors: checks.length - answered.length,
    failed_changes: cycles.length - ok.length,
    stale_allows_after_answer: staleAllows,
    stale_cycles: staleCycles,
    stale_denials_after_answer: staleDenials,
    in_flight_allows: inFlight,
    window_ms: spread(sortedWindows),
    change_ms: spread(changes),
    incidents,
  }
}

function spread(sorted: readonly number[]): { p50: number; p99: number; max: number } {
  return { p50: round(percentile(sorted, 0.5)), p99: round(percentile(sorted, 0.99)), max: round(sorted.at(-1) ?? 0) }
}

/** The index of the first check (sorted by `end`) that answered at or after `t`. */
function firstEndingAtOrAfter(sorted: readonly RaceCheck[], t: number): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((sorted[mid] as RaceCheck).end < t) lo = mid + 1
    else hi = mid
  }
  return lo
}
