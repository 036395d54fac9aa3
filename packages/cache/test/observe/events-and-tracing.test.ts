import { metrics, SpanStatusCode, trace } from '@opentelemetry/api'
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import t from 'tap'
import { CacheInputError, keys } from '../../src/index.js'
import type { InvalidationEvent } from '../../src/index.js'
import { Cluster } from 'ioredis'
import { cacheOn, claimDb, eventually } from '../fixtures/harness.js'

/*
 * Issue 16 part 5: callers' events (`cache.on`) and OpenTelemetry through @opentelemetry/api, checked
 * with the real SDK's in-memory exporters, registered before any cache is made.
 */

const spans = new InMemorySpanExporter()
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }))
const reader = new PeriodicExportingMetricReader({
  exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
  exportIntervalMillis: 3_600_000,
})
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }))

async function counter(name: string): Promise<number> {
  const { resourceMetrics } = await reader.collect()
  let sum = 0
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== name) continue
      for (const point of metric.dataPoints) sum += point.value as number
    }
  }
  return sum
}

t.test(
  'hit, miss, invalidation events; unsubscribe stops them; a throwing listener does not break the call',
  async (t) => {
    const db = await claimDb(t)
    const cache = await cacheOn(t, db)
    const key = keys.guildMembers(601)
    const seen: string[] = []
    const offHit = cache.on('hit', (e) => seen.push(`hit ${e.key}`))
    cache.on('miss', (e) => seen.push(`miss ${e.key}`))
    cache.on('miss', () => {
      throw new Error('listener bug')
    })
    const invalidations: InvalidationEvent[] = []
    cache.on('invalidation', (e) => invalidations.push(e))
    await cache.getOrSet(key, async () => ['m'])
    await cache.getOrSet(key, async () => ['m'])
    t.same(await cache.get(key), ['m'])
    t.same(seen, [`miss ${key}`, `hit ${key}`, `hit ${key}`])
    offHit()
    await cache.getOrSet(key, async () => ['m'])
    t.equal(seen.length, 3, 'unsubscribed')
    await cache.invalidateGuild(601)
    t.match(invalidations, [{ scope: 'guild', id: 601 }])
    t.throws(() => cache.on('nope' as 'hit', () => undefined), CacheInputError)
  },
)

t.test('ack-timeout: an invalidation a known cache process did not ack', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db, { propagationTimeoutMs: 400 })
  const seen: { unacked: number }[] = []
  cache.on('ack-timeout', (e) => seen.push(e))
  // Heartbeats by hand from a "process" that never acks, until the cache knows it (then it is known for three beats).
  const beat = JSON.stringify({ v: 1, hb: 1, o: 'ghost-process' })
  const heartbeat = (): Promise<number> =>
    db.redis instanceof Cluster
      ? (db.redis.spublish(db.channel, beat) as Promise<number>)
      : db.redis.publish(db.channel, beat)
  t.ok(await eventually(async () => (await heartbeat()) >= 0 && cache.stats().peers === 1, 3_000, 40))
  await cache.invalidateGuild(605)
  t.same(seen, [{ unacked: 1 }])
})

t.test('spans around loads and invalidations; hit, miss and stale counters', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  spans.reset()
  const key = keys.guildSettings(602)
  const hitsBefore = await counter('cache.hits')
  const missesBefore = await counter('cache.misses')
  await cache.getOrSet(key, async () => ({ v: 1 }), 60, { grace: 60 })
  await cache.getOrSet(key, async () => ({ v: 1 }), 60, { grace: 60 })
  await db.redis.del(key)
  await t.rejects(
    cache.getOrSet(keys.guildSettings(603), async () => {
      throw new Error('boom')
    }),
  )
  t.same(
    await cache.getOrSet(
      key,
      async () => {
        throw new Error('db down')
      },
      60,
      { grace: 60 },
    ),
    { v: 1 },
  )
  await cache.invalidateGuild(602)
  const finished = spans.getFinishedSpans()
  const loads = finished.filter((s) => s.name === 'cache.getOrSet load')
  t.equal(loads.length, 3, 'one span per load')
  t.same(loads[0]?.attributes, { 'cache.key': key, 'cache.namespace': 'guild' })
  t.ok(
    loads.some((s) => s.status.code === SpanStatusCode.ERROR && s.events.some((e) => e.name === 'exception')),
    'a failed load is an error span',
  )
  const inv = finished.find((s) => s.name === 'cache.invalidate')
  t.match(inv?.attributes, { 'cache.scope': 'guild', 'cache.removed': 0 })
  t.equal((await counter('cache.hits')) - hitsBefore, 1)
  t.equal((await counter('cache.misses')) - missesBefore, 3)
  t.equal(await counter('cache.stale_served'), 1)
  await cache.getOrSetMany([keys.userProfile(604)], async (missing) => missing.map(() => 1))
  t.ok(
    spans.getFinishedSpans().some((s) => s.name === 'cache.getOrSetMany load'),
    'getOrSetMany loads too',
  )
  t.match(
    await cache.metrics.metrics(),
    /cache_requests_total\{namespace="guild",result="hit"\} 1/,
    'Prometheus metrics as before',
  )
})
