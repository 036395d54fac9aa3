import type { Sample } from './steady-load.js'

export interface PhaseStats {
  requests: number
  /** Answers that were not 2xx, no answer at all included. */
  non2xx: number
  /** No answer at all (refused, reset, or past the client's timeout). */
  no_answer: number
  /** The non-2xx answers by status and message (`0`: no answer). */
  non2xx_by_reason: Record<string, number>
  p50_ms: number
  p99_ms: number
  max_ms: number
}

/** The samples that started in [from, to). */
export function startedIn(samples: readonly Sample[], from: number, to: number): Sample[] {
  return samples.filter((s) => s.start >= from && s.start < to)
}

export function phaseStats(samples: readonly Sample[]): PhaseStats {
  const latencies = samples.map((s) => s.end - s.start).sort((a, b) => a - b)
  const byStatus: Record<string, number> = {}
  for (const s of samples) {
    if (s.status >= 200 && s.status <= 299) continue
    const reason = s.reason === undefined ? String(s.status) : `${s.status} ${s.reason}`
    byStatus[reason] = (byStatus[reason] ?? 0) + 1
  }
  return {
    requests: samples.length,
    non2xx: samples.filter((s) => s.status < 200 || s.status > 299).length,
    no_answer: samples.filter((s) => s.status === 0).length,
    non2xx_by_reason: byStatus,
    p50_ms: round(percentile(latencies, 0.5)),
    p99_ms: round(percentile(latencies, 0.99)),
    max_ms: round(latencies.at(-1) ?? 0),
  }
}

/** Nearest-rank percentile of sorted values; 0 for none. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[rank] as number
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits
  return Math.round(value * f) / f
}
