import {
  boundOnce,
  RecordedCounter,
  RecordedHistogram,
  type CounterRecorder,
  type HistogramRecorder,
} from '@guild/metrics'
import { Counter, Gauge, Registry } from 'prom-client'

/**
 * The seed's "Monitoring" section as Prometheus metrics. Hit rate is derivable:
 * `sum(rate(cache_requests_total{result="hit"}[5m])) / sum(rate(cache_requests_total[5m]))`.
 * Labels are bounded: a namespace is a key's first segment (or `other`), an operation one of a fixed set.
 */
export class CacheMetrics {
  readonly registry: Registry
  readonly #requests: RecordedCounter<'namespace' | 'result'>
  readonly #errors: Counter<'operation'>
  readonly #duration: RecordedHistogram<'operation'>
  readonly #up: Gauge
  readonly #events: Counter<'event'>
  readonly #invalidated: Counter<'scope'>
  // Bound once per label set: every read records a result and every Redis step a duration.
  readonly #durations = new Map<string, HistogramRecorder>()
  readonly #hits = new Map<string, CounterRecorder>()
  readonly #misses = new Map<string, CounterRecorder>()

  hits = 0
  misses = 0
  errors = 0
  staleServed = 0
  /** Told of every event counted (cache.ts turns `bus_ack_timeout` into the callers' `ack-timeout`). */
  tap: ((event: CacheEvent) => void) | undefined

  constructor(registry?: Registry) {
    this.registry = registry ?? new Registry()
    const registers = [this.registry]
    this.#requests = new RecordedCounter({
      name: 'cache_requests_total',
      help: 'Cache reads by namespace (first key segment) and result (hit or miss)',
      labelNames: ['namespace', 'result'],
      registers,
    })
    this.#errors = new Counter({
      name: 'cache_errors_total',
      help: 'Redis operations that failed or timed out, by operation',
      labelNames: ['operation'],
      registers,
    })
    this.#duration = new RecordedHistogram({
      name: 'cache_operation_duration_seconds',
      help: 'Latency of Redis operations made by the cache, by operation',
      labelNames: ['operation'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
      registers,
    })
    this.#up = new Gauge({
      name: 'cache_redis_up',
      help: '1 while Redis answers and the circuit breaker is closed',
      registers,
    })
    this.#events = new Counter({
      name: 'cache_events_total',
      help: 'What the cache did beyond reads: loads, stale writes refused, lock waits, early refreshes, bus traffic',
      labelNames: ['event'],
      registers,
    })
    this.#invalidated = new Counter({
      name: 'cache_invalidated_keys_total',
      help: 'Entries removed by invalidation, by scope (guild, user, key, pattern)',
      labelNames: ['scope'],
      registers,
    })
  }

  hit(namespace: string): void {
    this.hits++
    boundOnce(this.#hits, namespace, () => this.#requests.recorder({ namespace, result: 'hit' })).inc()
  }

  miss(namespace: string): void {
    this.misses++
    boundOnce(this.#misses, namespace, () => this.#requests.recorder({ namespace, result: 'miss' })).inc()
  }

  error(operation: string): void {
    this.errors++
    this.#errors.inc({ operation })
  }

  observe(operation: string, seconds: number): void {
    boundOnce(this.#durations, operation, () => this.#duration.recorder({ operation })).observe(seconds)
  }

  setUp(up: boolean): void {
    this.#up.set(up ? 1 : 0)
  }

  event(event: CacheEvent, count = 1): void {
    if (event === 'stale_served') this.staleServed += count
    this.#events.inc({ event }, count)
    this.tap?.(event)
  }

  invalidated(scope: string, count: number): void {
    this.#invalidated.inc({ scope }, count)
  }
}

export type CacheEvent =
  | 'load'
  | 'stale_write_refused'
  | 'lock_wait'
  | 'lock_wait_served'
  | 'lock_wait_expired'
  /** The lease waited on vanished without a value (its holder gave up, or an invalidation took it). */
  | 'lock_wait_abandoned'
  | 'early_refresh'
  /** Keys loaded ahead of demand (getOrSetMany's prefetch), counted per key. */
  | 'prefetch'
  /** An invalidation whose index could not vouch for its scope, so the scope's keys were scanned too. */
  | 'index_untrusted'
  | 'bus_published'
  | 'bus_publish_retry'
  | 'bus_publish_dropped'
  | 'bus_received'
  /** An invalidation not acked by every cache process known through the heartbeats within propagationTimeoutMs. */
  | 'bus_ack_timeout'
  /** A step that decides who loads outlived its bound and waited (up to lockWaitMs) for its reply. */
  | 'late_reply'
  /** A read answered with its stale (grace) copy: the loader failed or outlived a timeout. */
  | 'stale_served'
  /** A loader not waited for past the hard timeout. */
  | 'loader_timeout'
