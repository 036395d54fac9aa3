import t from 'tap'
import { Writable } from 'node:stream'
import Fastify, { type FastifyInstance } from 'fastify'
import { errorHandlerPlugin, healthPlugin, type HealthPluginOptions, type RedisHealth } from '../src/index.js'

async function buildApp(options: HealthPluginOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false })
  await app.register(errorHandlerPlugin)
  await app.register(healthPlugin, options)
  await app.ready()
  return app
}

t.test('GET /health/live answers 200 {"status":"ok"} whatever the dependencies say', async (t) => {
  const app = await buildApp({ database: async () => false, redis: () => 'down' })
  t.teardown(async () => await app.close())
  const res = await app.inject({ url: '/health/live' })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { status: 'ok' })
})

t.test('GET /health/ready is 200 while the database answers, reporting Redis as it is', async (t) => {
  let redis: RedisHealth = 'up'
  const app = await buildApp({ database: async () => true, redis: () => redis })
  t.teardown(async () => await app.close())
  const expected: Array<[RedisHealth, string]> = [
    ['up', 'up'],
    ['down', 'down'],
    ['disabled', 'disabled'],
    ['connecting', 'down'],
  ]
  for (const [state, reported] of expected) {
    redis = state
    const res = await app.inject({ url: '/health/ready' })
    t.equal(res.statusCode, 200, `redis ${state}: Redis is optional, so still ready`)
    t.same(res.json(), { database: 'up', redis: reported }, `redis ${state} is reported as ${reported}`)
  }
})

t.test('GET /health/ready is 503 with the same body when the database does not answer', async (t) => {
  const checks: Array<[string, () => Promise<boolean>]> = [
    ['answers false', async () => false],
    ['rejects', async () => Promise.reject(new Error('ECONNREFUSED'))],
    [
      'throws synchronously',
      () => {
        throw new Error('pool closed')
      },
    ],
  ]
  for (const [name, database] of checks) {
    const app = await buildApp({ database, redis: () => 'disabled' })
    const res = await app.inject({ url: '/health/ready' })
    t.equal(res.statusCode, 503, `database ${name}`)
    t.same(res.json(), { database: 'down', redis: 'disabled' })
    await app.close()
  }
})

t.test('a database check slower than timeoutMs counts as down, and answers in time', async (t) => {
  let release: (() => void) | undefined
  const app = await buildApp({
    database: async () => await new Promise<boolean>((resolve) => (release = () => resolve(true))),
    redis: () => {
      throw new Error('redis client gone')
    },
    timeoutMs: 100,
  })
  t.teardown(async () => {
    release?.()
    await app.close()
  })
  const started = Date.now()
  const res = await app.inject({ url: '/health/ready' })
  const took = Date.now() - started
  t.equal(res.statusCode, 503)
  t.same(res.json(), { database: 'down', redis: 'down' }, 'a throwing redis probe reads as down')
  t.ok(took >= 90 && took < 1000, `bounded by timeoutMs (${took} ms)`)
})

t.test('the default timeout is 1000 ms', async (t) => {
  const app = await buildApp({ database: async () => await new Promise<boolean>(() => undefined), redis: () => 'up' })
  t.teardown(async () => await app.close())
  const started = Date.now()
  const res = await app.inject({ url: '/health/ready' })
  const took = Date.now() - started
  t.equal(res.statusCode, 503)
  t.ok(took >= 950 && took < 2500, `took ${took} ms`)
})

t.test('probes stay out of the info log; a database outage is logged at warn with its reason', async (t) => {
  const lines: Array<Record<string, unknown>> = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const l of chunk.toString('utf8').split('\n'))
        if (l !== '') lines.push(JSON.parse(l) as Record<string, unknown>)
      done()
    },
  })
  const app = Fastify({ logger: { level: 'info', stream } })
  t.teardown(async () => await app.close())
  await app.register(healthPlugin, {
    database: async () => {
      throw new Error('ECONNREFUSED 127.0.0.1:5432')
    },
    redis: () => 'up',
  })
  app.get('/other', async () => ({}))
  await app.ready()
  await app.inject({ url: '/health/live' })
  await app.inject({ url: '/health/ready' })
  await app.inject({ url: '/other' })
  t.notOk(
    lines.some((l) => l.msg === 'incoming request' && (l.req as { url: string }).url.startsWith('/health')),
    'no request lines for probes',
  )
  t.ok(
    lines.some((l) => l.msg === 'incoming request' && (l.req as { url: string }).url === '/other'),
    'other routes still log',
  )
  t.match(
    lines.find((l) => l.msg === 'readiness: database down'),
    { level: 40, reason: 'ECONNREFUSED 127.0.0.1:5432' },
  )
})
