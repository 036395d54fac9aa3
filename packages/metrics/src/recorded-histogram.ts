import { Histogram, type Aggregator, type HistogramConfiguration, type MetricValueWithName } from 'prom-client'
import { seriesFor } from './label-key.js'

/** prom-client's default buckets, when a configuration names none. */
const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

export interface HistogramRecorder {
  /** Counts one observation; a non-finite value is ignored (a metric must never fail its caller). */
  observe(value: number): void
  /** Observations so far, and their sum: for tests and for figures a service reads itself. */
  readonly count: number
  readonly sum: number
}

class Series implements HistogramRecorder {
  count = 0
  sum = 0
  /** Observations per bucket, not cumulative: the last slot is above every bound. */
  readonly counts: Float64Array

  constructor(
    readonly labels: Record<string, string | number>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length + 1)
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) return
    const bounds = this.bounds
    let i = 0
    while (i < bounds.length && value > (bounds[i] as number)) i++
    this.counts[i] = (this.counts[i] as number) + 1
    this.count++
    this.sum += value
  }
}

// `exemplar` as prom-client sets it (null on buckets, absent value on sum and count), so JSON matches too.
type Value = MetricValueWithName<string> & { sharedLabels: Record<string, string | number>; exemplar: null | undefined }

/** What prom-client's registry reads from a histogram when it writes the text format. */
interface PromStringMetric {
  name: string
  help: string
  type: 'histogram'
  aggregator: Aggregator
  values: Value[]
}

/**
 * A prom-client Histogram whose hot path is a bucket search and three additions. prom-client's `observe`
 * converts, checks and hashes its labels on every call, even through a child from `labels()`: on a route
 * answered from memory that was the largest single cost of the request. Here a label set is bound once,
 * with `recorder(labels)`; a scrape lays the counts out exactly as prom-client lays out its own (the
 * tests compare the two texts), so registries, default labels and dashboards see an ordinary histogram.
 */
export class RecordedHistogram<T extends string = string> extends Histogram<T> {
  readonly #series = new Map<string, Series>()
  readonly #labelNames: readonly string[]
  readonly #bounds: readonly number[]
  readonly #config: { name: string; help: string; aggregator: Aggregator }

  constructor(config: Omit<HistogramConfiguration<T>, 'collect' | 'enableExemplars'>) {
    super(config)
    this.#config = { name: config.name, help: config.help, aggregator: config.aggregator ?? 'sum' }
    this.#labelNames = config.labelNames ?? []
    // prom-client refuses unsorted or duplicate buckets in its constructor, so these are in order.
    this.#bounds = [...(config.buckets ?? DEFAULT_BUCKETS)]
  }

  /** The recorder of one label set; the same object for the same labels. */
  recorder(labels: Partial<Record<T, string | number>> = {}): HistogramRecorder {
    return seriesFor(
      this.#series,
      this.#config.name,
      this.#labelNames,
      labels as Record<string, string | number>,
      (checked) => new Series(checked, this.#bounds),
    )
  }

  /** What the registry formats (it asks a metric with this method instead of `get`); `get` reads it too. */
  async getForPromString(): Promise<PromStringMetric> {
    const { name, help, aggregator } = this.#config
    const bucket = `${name}_bucket`
    const values: Value[] = []
    for (const series of this.#series.values()) {
      let cumulative = 0
      this.#bounds.forEach((le, i) => {
        cumulative += series.counts[i] as number
        values.push({
          labels: { le },
          sharedLabels: series.labels,
          value: cumulative,
          metricName: bucket,
          exemplar: null,
        })
      })
      values.push({
        labels: { le: '+Inf' },
        sharedLabels: series.labels,
        value: series.count,
        metricName: bucket,
        exemplar: null,
      })
      values.push({
        labels: {},
        sharedLabels: series.labels,
        value: series.sum,
        metricName: `${name}_sum`,
        exemplar: undefined,
      })
      values.push({
        labels: {},
        sharedLabels: series.labels,
        value: series.count,
        metricName: `${name}_count`,
        exemplar: undefined,
      })
    }
    return { name, help, type: 'histogram', aggregator, values }
  }

  /** Zeroes every recorder (prom-client's `reset`): recorders already handed out stay bound. */
  override reset(): void {
    // prom-client's constructor calls reset before this class's fields exist.
    if (!(#series in this)) return super.reset()
    for (const series of this.#series.values()) {
      series.counts.fill(0)
      series.count = 0
      series.sum = 0
    }
    super.reset()
  }
}
