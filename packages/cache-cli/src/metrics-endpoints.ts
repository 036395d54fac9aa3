import { reasonOf } from './errors.js'

/** Cache reads by namespace, summed over the services' metrics endpoints. */
export interface RequestCounts {
  hits: number
  misses: number
}

export interface EndpointsReading {
  endpoints: { url: string; ok: boolean; error?: string }[]
  namespaces: Map<string, RequestCounts>
}

const SAMPLE = /^cache_requests_total\{([^}]*)\}\s+(\S+)/
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g

/** `cache_requests_total{namespace,result}` from Prometheus text (other metrics and comments ignored). */
export function parseRequests(text: string): Map<string, RequestCounts> {
  const out = new Map<string, RequestCounts>()
  for (const line of text.split('\n')) {
    const m = SAMPLE.exec(line)
    if (!m) continue
    const labels = new Map([...(m[1] as string).matchAll(LABEL)].map((l) => [l[1] as string, l[2] as string]))
    const value = Number(m[2])
    const namespace = labels.get('namespace')
    const result = labels.get('result')
    if (namespace === undefined || !Number.isFinite(value) || (result !== 'hit' && result !== 'miss')) continue
    const counts = out.get(namespace) ?? { hits: 0, misses: 0 }
    if (result === 'hit') counts.hits += value
    else counts.misses += value
    out.set(namespace, counts)
  }
  return out
}

/** Reads every endpoint (in parallel, each bounded by `timeoutMs`); one that fails is reported, not fatal. */
export async function readEndpoints(urls: readonly string[], timeoutMs: number): Promise<EndpointsReading> {
  const namespaces = new Map<string, RequestCounts>()
  const endpoints = await Promise.all(
    urls.map(async (url) => {
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
        if (!res.ok) return { url, ok: false, error: `HTTP ${res.status}` }
        for (const [ns, c] of parseRequests(await res.text())) {
          const total = namespaces.get(ns) ?? { hits: 0, misses: 0 }
          total.hits += c.hits
          total.misses += c.misses
          namespaces.set(ns, total)
        }
        return { url, ok: true }
      } catch (err) {
        return { url, ok: false, error: reasonOf(err instanceof Error && err.cause ? err.cause : err) }
      }
    }),
  )
  return { endpoints, namespaces }
}

export function hitRate(c: RequestCounts): number | null {
  return c.hits + c.misses === 0 ? null : c.hits / (c.hits + c.misses)
}

export function totalOf(namespaces: Map<string, RequestCounts>): RequestCounts {
  let hits = 0
  let misses = 0
  for (const c of namespaces.values()) {
    hits += c.hits
    misses += c.misses
  }
  return { hits, misses }
}
