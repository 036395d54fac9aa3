import t from 'tap'
import Fastify from 'fastify'
import { Counter, Registry } from 'prom-client'
import { errorHandlerPlugin, metricsPlugin, UNMATCHED_ROUTE } from '../src/index.js'

t.test('GET /metrics serves every registry merged, in the Prometheus text format', async (t) => {
  const cacheRegistry = new Registry()
  cacheRegistry.setDefaultLabels({ component: 'cache' })
  const hits = new Counter({ name: 'cache_hits_total', help: 'cache hits', registers: [cacheRegistry] })
  hits.inc(3)

  const app = Fastify({ logger: false })
  t.teardown(async () => await app.close())
  await app.register(errorHandlerPlugin)
  await app.register(metricsPlugin, { registries: [cacheRegistry] })
  const own = new Counter({ name: 'permission_checks_total', help: 'checks', registers: [app.metricsRegistry] })
  own.inc()
  app.get('/guilds/:guild_id/members', async () => [])
  app.get('/boom', async () => {
    throw new Error('boom')
  })
  await app.ready()

  await app.inject({ url: '/guilds/9001/members' })
  await app.inject({ url: '/guilds/9002/members' })
  await app.inject({ url: '/guilds/9003/members?x=1' })
  await app.inject({ url: '/boom' })
  await app.inject({ url: '/no/such/route/123' })

  const res = await app.inject({ url: '/metrics' })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], app.metricsRegistry.contentType)
  t.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/)
  const text = res.body

  t.match(text, /^cache_hits_total\{component="cache"\} 3$/m, 'another registry is served, default labels kept')
  t.match(text, /^permission_checks_total 1$/m, 'a metric the service added to metricsRegistry is served')
  t.match(text, /^process_cpu_user_seconds_total /m, 'default process metrics are collected')
  t.match(text, /^nodejs_eventloop_lag_seconds /m)

  t.match(
    text,
    /^http_request_duration_seconds_count\{method="GET",route="\/guilds\/:guild_id\/members",status_code="200"\} 3$/m,
    'the route label is the pattern: three URLs, one series',
  )
  t.notMatch(text, /route="\/guilds\/900\d/, 'no ids in labels')
  t.match(text, /^http_request_duration_seconds_count\{method="GET",route="\/boom",status_code="500"\} 1$/m)
  t.match(
    text,
    new RegExp(
      `^http_request_duration_seconds_count\\{method="GET",route="${UNMATCHED_ROUTE}",status_code="404"\\} 1$`,
      'm',
    ),
    'an unknown URL is one bounded label',
  )
  t.notMatch(text, /no\/such\/route/)
  t.match(
    text,
    new RegExp(
      /^http_request_duration_seconds_bucket\{le="0\.005",method="GET",/.source +
        /route="\/guilds\/:guild_id\/members",status_code="200"\} \d$/.source,
      'm',
    ),
  )

  // Each metric family appears once: a scrape of merged registries must stay valid.
  const helps = text.split('\n').filter((l) => l.startsWith('# HELP '))
  t.equal(new Set(helps).size, helps.length)
})

t.test('the prefix names every metric the plugin creates', async (t) => {
  const app = Fastify({ logger: false })
  t.teardown(async () => await app.close())
  await app.register(metricsPlugin, { prefix: 'guild_api_' })
  await app.ready()
  await app.inject({ url: '/metrics' })
  const text = (await app.inject({ url: '/metrics' })).body
  t.match(
    text,
    /^guild_api_http_request_duration_seconds_count\{method="GET",route="\/metrics",status_code="200"\} 1$/m,
  )
  t.match(text, /^guild_api_process_cpu_user_seconds_total /m)
  t.notMatch(text, /^http_request_duration_seconds/m)
})

t.test('two registries with the same metric name fail at start-up, naming it', async (t) => {
  const a = new Registry()
  const b = new Registry()
  new Counter({ name: 'dup_total', help: 'x', registers: [a] })
  new Counter({ name: 'dup_total', help: 'x', registers: [b] })
  const app = Fastify({ logger: false })
  t.teardown(async () => await app.close())
  await app.register(metricsPlugin, { registries: [a, b] })
  await t.rejects(async () => await app.ready(), { message: /dup_total is registered in two registries/ })
})

t.test('registries of different content types fail at start-up', async (t) => {
  const open = new Registry<typeof Registry.OPENMETRICS_CONTENT_TYPE>()
  open.setContentType(Registry.OPENMETRICS_CONTENT_TYPE)
  const app = Fastify({ logger: false })
  t.teardown(async () => await app.close())
  await app.register(metricsPlugin, { registries: [open as unknown as Registry] })
  await t.rejects(async () => await app.ready(), { message: /same content type/ })
})

t.test('each app has its own registry', async (t) => {
  const one = Fastify({ logger: false })
  const two = Fastify({ logger: false })
  t.teardown(async () => {
    await one.close()
    await two.close()
  })
  await one.register(metricsPlugin)
  await two.register(metricsPlugin)
  await Promise.all([one.ready(), two.ready()])
  t.not(one.metricsRegistry, two.metricsRegistry)
})
