import { Counter, type Registry } from 'prom-client'
import type { Layer } from './check-item.js'

/**
 * Which layer answered how many checks, and how many database queries were sent: the hit counters the
 * tests read, and the same figures as Prometheus metrics.
 */
export class CheckCounters {
  readonly answered: Record<Layer, number> = { l1: 0, redis: 0, db: 0 }
  dbQueries = 0
  readonly #answered: Record<Layer, { inc(n: number): void }>
  readonly #queries: Counter

  constructor(registry: Registry) {
    const answered = new Counter({
      name: 'permission_checks_answered_total',
      help: 'Checks answered, by the layer that answered them (l1, redis, db)',
      labelNames: ['layer'],
      registers: [registry],
    })
    // Bound once: labelling per call would hash a label object on every check.
    this.#answered = { l1: answered.labels('l1'), redis: answered.labels('redis'), db: answered.labels('db') }
    this.#queries = new Counter({ name: 'permission_db_queries_total', help: 'Permission queries sent to the database', registers: [registry] })
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
