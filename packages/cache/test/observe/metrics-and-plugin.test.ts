import { freePort } from '@guild/testing'
import Fastify from 'fastify'
import t from 'tap'
import { createCache, fastifyCache } from '../../src/index.js'
import { cacheOn, claimDb, silentLogger } from '../fixtures/harness.js'

t.test('Prometheus metrics: requests by namespace and result, errors by operation, latency, redis up', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  await cache.getPermissionCheck(1, 2, 'roster')
  await cache.setPermissionCheck(1, 2, 'roster', true)
  await cache.getPermissionCheck(1, 2, 'roster')
  await cache.get('guild:1:members')
  const text = await cache.metrics.metrics()
  t.match(text, /cache_requests_total\{namespace="permission",result="miss"\} 1/)
  t.match(text, /cache_requests_total\{namespace="permission",result="hit"\} 1/)
  t.match(text, /cache_requests_total\{namespace="guild",result="miss"\} 1/)
  t.match(text, /cache_operation_duration_seconds_count\{operation="get"\} 3/)
  t.match(text, /cache_redis_up 1/)
  t.match(text, /# TYPE cache_errors_total counter/)
  await cache.invalidateGuild(1)
  t.match(await cache.metrics.metrics(), /cache_invalidated_keys_total\{scope="guild"\} 1/)
})

t.test('errors are counted by operation, and the up gauge drops', async (t) => {
  const cache = createCache({
    url: `redis://127.0.0.1:${await freePort()}/0`,
    logger: silentLogger(),
    busChannel: 'cache:test:metrics',
  })
  t.teardown(() => cache.close())
  await cache.ready
  await cache.get('temp:a')
  const text = await cache.metrics.metrics()
  t.match(text, /cache_redis_up 0/)
  t.match(text, /cache_errors_total\{operation="get"\} 1/)
  t.equal(cache.stats().errors, 1)
})

t.test('debug lines on hit and miss, as the seed’s "Monitor Performance" shows', async (t) => {
  const db = await claimDb(t)
  const logger = silentLogger()
  const cache = await cacheOn(t, db, { logger })
  await cache.get('temp:x')
  await cache.set('temp:x', 1)
  await cache.get('temp:x')
  t.same(
    logger.lines.filter((l) => l.level === 'debug').map((l) => [l.msg, (l.obj as { key: string }).key]),
    [
      ['cache miss', 'temp:x'],
      ['cache hit', 'temp:x'],
    ],
  )
})

t.test('the Fastify plugin decorates fastify.cache and boots at once with Redis down', async (t) => {
  const app = Fastify({ pluginTimeout: 2_000 })
  await app.register(fastifyCache, { url: `redis://127.0.0.1:${await freePort()}/0`, busChannel: 'cache:test:plugin' })
  app.get('/x', async () => ({ value: await app.cache.getOrSet('temp:x', async () => 'from source') }))
  const started = performance.now()
  await app.ready()
  t.ok(performance.now() - started < 1_000, 'no FST_ERR_PLUGIN_TIMEOUT: boot does not wait for Redis')
  const res = await app.inject('/x')
  t.same(res.json(), { value: 'from source' }, 'and it serves')
  await app.close()
  t.equal(app.cache.state(), 'down')
})

t.test('the plugin takes a cache made elsewhere and leaves closing it to its owner', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  const app = Fastify()
  await app.register(fastifyCache, { cache })
  await app.ready()
  t.equal(app.cache, cache)
  await app.close()
  t.equal(await cache.set('temp:still', 1), true, 'still open after the app closed')
})

t.test('createCache refuses bad options with a message naming them', async (t) => {
  t.throws(() => createCache({ url: 'http://x' }), { message: /REDIS_URL must start with redis:\/\// })
  t.throws(() => createCache({ url: 'not a url' }), { message: /REDIS_URL is not a URL/ })
  t.throws(() => createCache({ clusterNodes: 'a:b' }), { message: /REDIS_CLUSTER_NODES/ })
  t.throws(() => createCache({ clusterNodes: ' , ' }), { message: /names no node/ })
  t.throws(() => createCache({ operationTimeoutMs: 0 }), { message: /operationTimeoutMs/ })
  t.throws(() => createCache({ earlyRefreshBeta: -1 }), { message: /earlyRefreshBeta/ })
  t.throws(() => createCache({ busChannel: 'bus' }), { message: /busChannel must start with "cache:"/ })
})
