import {
  Counter,
  type CounterConfiguration,
  type LabelValues,
  type MetricObjectWithValues,
  type MetricValue,
} from 'prom-client'
import { seriesFor } from './label-key.js'

export interface CounterRecorder {
  /** Adds `n` (default 1); a negative or non-finite `n` is ignored, as a counter only goes up. */
  inc(n?: number): void
  /** The total so far, for tests and for figures a service reads itself. */
  readonly value: number
}

class Series implements CounterRecorder {
  value = 0
  constructor(readonly labels: Record<string, string | number>) {}

  inc(n = 1): void {
    if (n >= 0 && n !== Infinity) this.value += n
  }
}

/**
 * A prom-client Counter whose hot path is one addition. prom-client's `inc` checks and hashes its label
 * object on every call, even through a child from `labels()`. Here a label set is bound once, with
 * `recorder(labels)`, and a scrape hands the totals to prom-client, which formats them as it formats
 * any counter (same registry, same text, default labels included).
 */
export class RecordedCounter<T extends string = string> extends Counter<T> {
  readonly #series = new Map<string, Series>()
  readonly #labelNames: readonly string[]
  readonly #name: string

  constructor(config: Omit<CounterConfiguration<T>, 'collect'>) {
    super(config)
    this.#name = config.name
    this.#labelNames = config.labelNames ?? []
  }

  /** The recorder of one label set; the same object for the same labels. */
  recorder(labels: Partial<Record<T, string | number>> = {}): CounterRecorder {
    return seriesFor(
      this.#series,
      this.#name,
      this.#labelNames,
      labels as Record<string, string | number>,
      (checked) => new Series(checked),
    )
  }

  override async get(): Promise<MetricObjectWithValues<MetricValue<T>>> {
    // Through prom-client's own store, so its output and aggregation are what any Counter gives.
    super.reset()
    for (const series of this.#series.values()) this.inc(series.labels as LabelValues<T>, series.value)
    return await super.get()
  }

  /** Zeroes every recorder (prom-client's `reset`): recorders already handed out stay bound. */
  override reset(): void {
    // prom-client's constructor calls reset before this class's fields exist.
    if (!(#series in this)) return super.reset()
    for (const series of this.#series.values()) series.value = 0
    super.reset()
  }
}
