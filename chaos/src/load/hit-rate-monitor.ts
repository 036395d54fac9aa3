import { now } from './clock.js'

/** One scrape: cumulative counters at time `t`. */
interface Reading {
  t: number
  hits: number
  total: number
}

/** Sums a counter's lines in Prometheus text, over the label sets `keep` accepts. */
export function sumCounter(text: string, name: string, keep: (labels: string) => boolean = () => true): number {
  let total = 0
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue
    const rest = line.slice(name.length)
    if (rest[0] !== ' ' && rest[0] !== '{') continue
    const labels = rest[0] === '{' ? rest.slice(0, rest.indexOf('}') + 1) : ''
    if (!keep(labels)) continue
    total += Number(line.slice(line.lastIndexOf(' ') + 1))
  }
  return total
}

/** How a service's metrics say "hit" and "all": permission-service's answering layer, or the cache's reads. */
export type HitSource = 'permission-layers' | 'cache-requests'

function read(text: string, source: HitSource): { hits: number; total: number } {
  if (source === 'permission-layers') {
    const total = sumCounter(text, 'permission_checks_answered_total')
    return {
      hits: total - sumCounter(text, 'permission_checks_answered_total', (l) => l.includes('layer="db"')),
      total,
    }
  }
  return {
    hits: sumCounter(text, 'cache_requests_total', (l) => l.includes('result="hit"')),
    total: sumCounter(text, 'cache_requests_total'),
  }
}

export interface HitRateMonitor {
  stop(): Promise<void>
  /** Hit rate over [from, to): hits / all between the readings nearest those times; null when nothing was counted. */
  rateBetween(from: number, to: number): number | null
  /**
   * Seconds from `from` until the end of the first window of `windowMs` whose hit rate reaches `threshold`
   * (with at least `minRequests` counted); null when it never does before the readings end.
   */
  secondsUntil(from: number, threshold: number, windowMs?: number, minRequests?: number): number | null
}

/**
 * Scrapes a service's /metrics every `intervalMs`. A scrape that fails (the service is down) is
 * skipped; a restarted service starts its counters again at 0, which is taken as a new series.
 */
export function monitorHitRate(baseUrl: string, source: HitSource, intervalMs = 100): HitRateMonitor {
  const readings: Reading[] = []
  let offset = { hits: 0, total: 0 }
  let stopped = false
  const loop = (async () => {
    while (!stopped) {
      const t = now()
      try {
        const res = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(1_000) })
        const r = read(await res.text(), source)
        const last = readings.at(-1)
        // Counters went back: the process restarted; carry on from where the last one stopped.
        if (last && r.total + offset.total < last.total) offset = { hits: last.hits, total: last.total }
        readings.push({ t, hits: r.hits + offset.hits, total: r.total + offset.total })
      } catch {
        // down: no reading
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, intervalMs - (now() - t))))
    }
  })()
  const nearest = (t: number): Reading | undefined => {
    let best: Reading | undefined
    for (const r of readings) if (r.t <= t) best = r
    return best ?? readings[0]
  }
  return {
    stop: async () => {
      stopped = true
      await loop
    },
    rateBetween: (from, to) => {
      const a = nearest(from)
      const b = nearest(to)
      if (!a || !b || b.total - a.total <= 0) return null
      return (b.hits - a.hits) / (b.total - a.total)
    },
    secondsUntil: (from, threshold, windowMs = 300, minRequests = 10) => {
      const after = readings.filter((r) => r.t >= from)
      for (let i = 0; i < after.length; i++) {
        const a = after[i] as Reading
        const b = after.find((r) => r.t >= a.t + windowMs)
        if (!b) return null
        const total = b.total - a.total
        if (total >= minRequests && (b.hits - a.hits) / total >= threshold) return Math.round((b.t - from) / 100) / 10
      }
      return null
    },
  }
}
