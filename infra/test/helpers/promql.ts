import { readRepoFile, listFiles } from './repo.js'

/**
 * A metric as the source defines it: `new Counter({ name: 'x', labelNames: [...] })`, or @guild/metrics'
 * `new RecordedCounter({ … })` / `new RecordedHistogram({ … })`, which are a Counter and a Histogram.
 */
export interface MetricDefinition {
  name: string
  type: 'Counter' | 'Gauge' | 'Histogram' | 'Summary'
  labels: string[]
  file: string
}

/** Every prom-client metric defined in packages/*\/src and services/*\/src (a `${prefix}` is dropped). */
export function metricDefinitions(): Map<string, MetricDefinition> {
  const files = [...listFiles('packages'), ...listFiles('services')].filter((f) => /\/src\/.*\.ts$/.test(f))
  const metrics = new Map<string, MetricDefinition>()
  for (const file of files) {
    const source = readRepoFile(file)
    for (const match of source.matchAll(
      /new\s+(?:Recorded)?(Counter|Gauge|Histogram|Summary)\s*(?:<[^>]*>)?\s*\(\s*\{([\s\S]*?)\}\s*\)/g,
    )) {
      const body = match[2]!
      const name = /\bname:\s*[`'"](?:\$\{\w+\})?([a-zA-Z_:][a-zA-Z0-9_:]*)[`'"]/.exec(body)?.[1]
      if (name === undefined) continue
      const labelList = /\blabelNames:\s*\[([^\]]*)\]/.exec(body)?.[1] ?? ''
      const labels = [...labelList.matchAll(/['"`]([a-zA-Z_][a-zA-Z0-9_]*)['"`]/g)].map((m) => m[1]!)
      metrics.set(name, { name, type: match[1] as MetricDefinition['type'], labels, file })
    }
  }
  return metrics
}

export interface Selector {
  metric: string
  matchers: Array<{ label: string; op: string; value: string }>
}

export interface QueryParts {
  /** Metric names the query reads, as written (with _bucket/_count/_sum suffixes). */
  metrics: string[]
  selectors: Selector[]
  /** Labels named in by (...) / without (...) / on (...) / ignoring (...). */
  grouping: string[]
}

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
])

/** What a PromQL query reads; enough for the dashboards written here, not a full PromQL parser. */
export function parseQuery(expr: string): QueryParts {
  const selectors: Selector[] = []
  for (const match of expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{([^}]*)\}/g)) {
    const matchers = [...match[2]!.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"([^"]*)"/g)].map((m) => ({
      label: m[1]!,
      op: m[2]!,
      value: m[3]!,
    }))
    selectors.push({ metric: match[1]!, matchers })
  }
  const grouping: string[] = []
  let rest = expr.replace(/"[^"]*"/g, '""')
  rest = rest.replace(/\b(by|without|on|ignoring)\s*\(([^)]*)\)/g, (_all, _kw: string, labels: string) => {
    grouping.push(
      ...labels
        .split(',')
        .map((l) => l.trim())
        .filter((l) => l !== ''),
    )
    return ' '
  })
  rest = rest.replace(/\{[^}]*\}/g, ' ').replace(/\[[^\]]*\]/g, ' ')
  const metrics = new Set<string>()
  for (const match of rest.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const word = match[0]
    const after = rest.slice(match.index + word.length).trimStart()
    if (after.startsWith('(') || KEYWORDS.has(word)) continue
    // An exponent such as 1e3 never reaches here: it starts with a digit, not a letter.
    metrics.add(word)
  }
  return { metrics: [...metrics], selectors, grouping }
}

/** The defined metric a queried series name belongs to, with the labels it may carry. */
export function resolveSeries(
  series: string,
  defined: Map<string, MetricDefinition>,
): { metric: MetricDefinition; labels: string[] } | undefined {
  const direct = defined.get(series)
  if (direct) return { metric: direct, labels: direct.labels }
  const suffix = /^(.*)_(bucket|count|sum)$/.exec(series)
  if (!suffix) return undefined
  const base = defined.get(suffix[1]!)
  if (!base || (base.type !== 'Histogram' && base.type !== 'Summary')) return undefined
  if (suffix[2] === 'bucket' && base.type !== 'Histogram') return undefined
  return { metric: base, labels: suffix[2] === 'bucket' ? [...base.labels, 'le'] : base.labels }
}
