import { Histogram, Registry } from 'prom-client'
import t from 'tap'
import { RecordedHistogram } from '../src/index.js'

const buckets = [0.001, 0.01, 0.1, 1]

/** The same observations through prom-client's own Histogram and through recorders, in two registries. */
function pair(defaultLabels?: Record<string, string>) {
  const theirs = new Registry()
  const ours = new Registry()
  if (defaultLabels) {
    theirs.setDefaultLabels(defaultLabels)
    ours.setDefaultLabels(defaultLabels)
  }
  const config = { name: 'req_seconds', help: 'request time', labelNames: ['method', 'route'] as const, buckets }
  const plain = new Histogram({ ...config, registers: [theirs] })
  const recorded = new RecordedHistogram({ ...config, registers: [ours] })
  return { theirs, ours, plain, recorded }
}

t.test('the text a scrape gives is exactly prom-client’s for the same observations', async (t) => {
  const { theirs, ours, plain, recorded } = pair()
  const observations: [Record<'method' | 'route', string>, number][] = [
    [{ method: 'GET', route: '/a' }, 0.0005],
    [{ method: 'GET', route: '/a' }, 0.001], // on a bound: counted in it, as prom-client does
    [{ method: 'GET', route: '/a' }, 0.5],
    [{ method: 'GET', route: '/a' }, 7], // above every bound: only +Inf
    [{ method: 'POST', route: '/b' }, 0.02],
  ]
  for (const [labels, value] of observations) {
    plain.observe(labels, value)
    recorded.recorder(labels).observe(value)
  }
  t.equal(await ours.metrics(), await theirs.metrics())
  t.same(await ours.getMetricsAsJSON(), await theirs.getMetricsAsJSON())
})

t.test('default labels and label order given differently still match prom-client', async (t) => {
  const { theirs, ours, plain, recorded } = pair({ service: 'svc' })
  plain.observe({ route: '/x', method: 'PUT' }, 0.003)
  recorded.recorder({ route: '/x', method: 'PUT' }).observe(0.003)
  t.equal(await ours.metrics(), await theirs.metrics())
})

t.test('a recorder is bound once: the same labels give the same recorder, whose figures add up', async (t) => {
  const { recorded } = pair()
  const a = recorded.recorder({ method: 'GET', route: '/a' })
  t.equal(recorded.recorder({ route: '/a', method: 'GET' }), a)
  t.not(recorded.recorder({ method: 'GET', route: '/b' }), a)
  a.observe(0.25)
  a.observe(0.5)
  t.equal(a.count, 2)
  t.equal(a.sum, 0.75)
})

t.test('a non-finite value is ignored rather than thrown at the caller', async (t) => {
  const { recorded } = pair()
  const a = recorded.recorder({ method: 'GET', route: '/a' })
  t.doesNotThrow(() => {
    a.observe(Number.NaN)
    a.observe(Number.POSITIVE_INFINITY)
  })
  t.equal(a.count, 0)
})

t.test('an undeclared label name is refused where the recorder is made', async (t) => {
  const { recorded } = pair()
  t.throws(() => recorded.recorder({ methd: 'GET' } as never), /no label "methd"/)
})

t.test('reset zeroes the series but keeps recorders bound', async (t) => {
  const { theirs, ours, plain, recorded } = pair()
  const a = recorded.recorder({ method: 'GET', route: '/a' })
  a.observe(0.002)
  recorded.reset()
  t.equal(a.count, 0)
  a.observe(0.002)
  plain.observe({ method: 'GET', route: '/a' }, 0.002)
  t.equal(await ours.metrics(), await theirs.metrics())
})

t.test('without buckets it uses prom-client’s defaults, like a plain Histogram', async (t) => {
  const theirs = new Registry()
  const ours = new Registry()
  new Histogram({ name: 'h', help: 'h', registers: [theirs] }).observe(0.3)
  new RecordedHistogram({ name: 'h', help: 'h', registers: [ours] }).recorder().observe(0.3)
  t.equal(await ours.metrics(), await theirs.metrics())
})
