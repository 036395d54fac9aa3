import { boundOnce } from './bound-once.js'

/** One string per label set, whatever order its names were given in: the series' identity. */
export function labelKey(labelNames: readonly string[], labels: Record<string, string | number>): string {
  return labelNames.map((name) => String(labels[name] ?? '')).join('\u0000')
}

/**
 * The label set as prom-client would store it (in the order given, which is the order it prints), and an
 * error naming any undeclared name, so a typo fails where the recorder is made, not at a scrape.
 */
export function checkedLabels(
  metric: string,
  labelNames: readonly string[],
  labels: Record<string, string | number>,
): Record<string, string | number> {
  for (const name of Object.keys(labels)) {
    if (!labelNames.includes(name))
      throw new Error(
        `metric ${metric} has no label ${JSON.stringify(name)} (its labels: ${labelNames.join(', ') || 'none'})`,
      )
  }
  const out: Record<string, string | number> = {}
  for (const [name, value] of Object.entries(labels)) if (value !== undefined) out[name] = value
  return out
}

/**
 * The series of one label set in `series`, made with `make` the first time: checked as prom-client would
 * check it, and keyed whatever order its names were given in. Both recorder classes bind through it.
 */
export function seriesFor<S>(
  series: Map<string, S>,
  metric: string,
  labelNames: readonly string[],
  labels: Record<string, string | number>,
  make: (checked: Record<string, string | number>) => S,
): S {
  const checked = checkedLabels(metric, labelNames, labels)
  return boundOnce(series, labelKey(labelNames, checked), () => make(checked))
}
