import type { StandinCall } from './standin.js'

/** The most calls in any one-second stretch, wherever it starts (a sliding window over the call times). */
export function peakPerSlidingSecond(calls: readonly StandinCall[]): number {
  const times = calls.map((c) => c.at).sort((a, b) => a - b)
  let peak = 0
  let first = 0
  for (let last = 0; last < times.length; last++) {
    while ((times[last] as number) - (times[first] as number) >= 1_000) first++
    peak = Math.max(peak, last - first + 1)
  }
  return peak
}

/** The most calls in one calendar second (as a per-second counter on Battle.net's side would see them). */
export function peakPerClockSecond(calls: readonly StandinCall[]): number {
  const counts = new Map<number, number>()
  for (const c of calls) counts.set(Math.floor(c.at / 1000), (counts.get(Math.floor(c.at / 1000)) ?? 0) + 1)
  return Math.max(0, ...counts.values())
}
