import { RecordedCounter, type CounterRecorder } from '@guild/metrics'
import type { Registry } from 'prom-client'
import type { Layer } from './check-item.js'

/**
 * Which layer answered how many checks, and how many database queries were sent: the hit counters the
 * tests read, and the same figures as Prometheus metrics.
 */
export class CheckCounters {
  readonly answered: Record<Layer, number> = { l1: 0, redis: 0, db: 0 }
  dbQueries = 0
  readonly #answered: Record<Layer, CounterRecorder>
  readonly #queries: CounterRecorder

  constructor(registry: Registry) {
    const answered = new RecordedCounter({
      name: 'permission_checks_answered_total',
      help: 'Checks answered, by the layer that answered them (l1, redis, db)',
      labelNames: ['layer'],
      registers: [registry],
    })
    // Bound once: every check records its layer, and prom-client's own inc would hash a label object each time.
    this.#answered = {
      l1: answered.recorder({ layer: 'l1' }),
      redis: answered.recorder({ layer: 'redis' }),
      db: answered.recorder({ layer: 'db' }),
    }
    this.#queries = new RecordedCounter({
      name: 'permission_db_queries_total',
      help: 'Permission queries sent to the database',
      registers: [registry],
    }).recorder()
  }

  hit(layer: Layer, count: number): void {
    if (count === 0) return
    this.answered[layer] += count
    this.#answered[layer].inc(count)
  }

  query(): void {
    this.dbQueries++
    this.#queries.inc()
  }
}
