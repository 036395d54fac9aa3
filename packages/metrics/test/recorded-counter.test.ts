import { Counter, Registry } from 'prom-client'
import t from 'tap'
import { RecordedCounter } from '../src/index.js'

function pair(openMetrics = false) {
  const make = () => {
    const registry = new Registry<typeof Registry.PROMETHEUS_CONTENT_TYPE | typeof Registry.OPENMETRICS_CONTENT_TYPE>()
    if (openMetrics) registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE)
    return registry
  }
  const theirs = make()
  const ours = make()
  const config = { name: 'checks_total', help: 'checks', labelNames: ['layer'] as const }
  return {
    theirs,
    ours,
    plain: new Counter({ ...config, registers: [theirs] }),
    recorded: new RecordedCounter({ ...config, registers: [ours] }),
  }
}

t.test('the text a scrape gives is exactly prom-client’s for the same increments', async (t) => {
  const { theirs, ours, plain, recorded } = pair()
  plain.inc({ layer: 'l1' }, 3)
  plain.inc({ layer: 'db' })
  const l1 = recorded.recorder({ layer: 'l1' })
  l1.inc(2)
  l1.inc()
  recorded.recorder({ layer: 'db' }).inc()
  t.equal(await ours.metrics(), await theirs.metrics())
  t.same(await ours.getMetricsAsJSON(), await theirs.getMetricsAsJSON())
  t.equal(l1.value, 3)
})

t.test('OpenMetrics output matches too', async (t) => {
  const { theirs, ours, plain, recorded } = pair(true)
  plain.inc({ layer: 'redis' }, 5)
  recorded.recorder({ layer: 'redis' }).inc(5)
  t.equal(await ours.metrics(), await theirs.metrics())
})

t.test(
  'a recorder bound but never used shows its series at 0, as prom-client’s labels(...).inc(0) would',
  async (t) => {
    const { theirs, ours, plain, recorded } = pair()
    plain.inc({ layer: 'db' }, 0)
    recorded.recorder({ layer: 'db' })
    t.equal(await ours.metrics(), await theirs.metrics())
  },
)

t.test('negative and non-finite increments are ignored: a counter only goes up', async (t) => {
  const { recorded } = pair()
  const r = recorded.recorder({ layer: 'l1' })
  r.inc(-1)
  r.inc(Number.NaN)
  r.inc(Number.POSITIVE_INFINITY)
  r.inc(2)
  t.equal(r.value, 2)
})

t.test('scraping twice does not double the totals', async (t) => {
  const { ours, recorded } = pair()
  recorded.recorder({ layer: 'l1' }).inc(4)
  await ours.metrics()
  t.match(await ours.metrics(), /checks_total\{layer="l1"\} 4\n?$/)
})

t.test('reset zeroes every recorder and keeps them bound; undeclared labels are refused', async (t) => {
  const { recorded } = pair()
  const r = recorded.recorder({ layer: 'l1' })
  r.inc(4)
  recorded.reset()
  t.equal(r.value, 0)
  t.equal(recorded.recorder({ layer: 'l1' }), r)
  t.throws(() => recorded.recorder({ level: 'x' } as never), /no label "level"/)
})
