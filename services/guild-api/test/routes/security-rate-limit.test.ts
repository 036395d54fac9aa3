import { startOwnCluster, startOwnRedis } from '@guild/testing'
import t from 'tap'
import { scanKeyViolations } from '../../../../chaos/fuzz/index.mjs'
import { buildApp } from '../../src/app.js'
import { startHarness, type Harness } from '../helpers/harness.js'

const login = (h: Harness, remoteAddress = '127.0.0.1', headers: Record<string, string> = {}) =>
  h.inject({ url: '/auth/login?login_hint=Thrall%231234', remoteAddress, headers })

t.test('without Redis: 30 requests a minute per IP on /auth/*, then 429, counted in the process', async (t) => {
  const h = await startHarness(t, { redis: 'none', permissionService: false })
  const token = await h.login('Thrall#1234') // requests 1 and 2: /auth/login, /auth/callback
  for (let i = 2; i < 29; i++) t.equal((await login(h)).statusCode, 302, `request ${i + 1}`)
  // Every /auth/* route draws on the same count.
  t.equal((await h.inject({ url: '/auth/callback?code=x&state=y' })).statusCode, 400, 'request 30, on the callback')
  const limited = await login(h)
  t.equal(limited.statusCode, 429, 'request 31')
  t.match(limited.json(), { statusCode: 429, error: 'Too Many Requests', message: /at most 30 a minute/ })
  t.same(Object.keys(limited.json()).sort(), ['error', 'message', 'statusCode'], "the contract's error shape")
  const retryAfter = Number(limited.headers['retry-after'])
  t.ok(retryAfter > 0 && retryAfter <= 60, `Retry-After ${retryAfter}`)
  t.equal(limited.headers['x-ratelimit-limit'], '30')
  t.equal((await h.inject({ url: '/auth/callback?code=x&state=y' })).statusCode, 429, 'the callback too')
  t.equal((await h.as(token).post('/auth/logout')).statusCode, 429, 'and the logout')

  t.equal(
    (await login(h, '127.0.0.1', { 'x-forwarded-for': '203.0.113.9' })).statusCode,
    429,
    'X-Forwarded-For does not buy a new budget',
  )
  t.equal((await login(h, '198.51.100.7')).statusCode, 302, 'another address has its own')
  for (let i = 0; i < 40; i++) t.equal((await h.inject({ url: '/health/live' })).statusCode, 200)
  t.equal((await h.inject({ url: '/me' })).statusCode, 401, 'routes outside /auth/* are not limited')
})

t.test('with Redis: the count is shared by every instance, under cache:ratelimit: with a TTL', async (t) => {
  const h = await startHarness(t, { permissionService: false, env: { AUTH_RATE_LIMIT_MAX: '5' } })
  for (let i = 0; i < 5; i++) t.equal((await login(h)).statusCode, 302)
  t.equal((await login(h)).statusCode, 429)
  const key = 'cache:ratelimit:127.0.0.1'
  t.equal(await h.redis?.redis.get(key), '6')
  const ttl = Number(await h.redis?.redis.pttl(key))
  t.ok(ttl > 0 && ttl <= 60_000, `PTTL ${ttl} ms`)
  t.same(await scanKeyViolations(h.redis?.redis as never), [], "every key keeps to the contract's names and TTLs")

  const other = await buildApp({ env: h.env, bnetBackoffMs: 10 })
  t.teardown(() => other.close())
  const there = await other.inject({ url: '/auth/login?login_hint=Thrall%231234' })
  t.equal(there.statusCode, 429, 'another instance sees the same count')
  await h.redis?.redis.del(key)
  t.equal((await other.inject({ url: '/auth/login?login_hint=Thrall%231234' })).statusCode, 302, 'a new window')
})

t.test('Redis gone never blocks a login: the limiter lets requests through', async (t) => {
  const redis = await startOwnRedis()
  let killed = false
  t.teardown(async () => {
    if (!killed) await redis.stop()
  })
  const h = await startHarness(t, {
    redis: { url: redis.url },
    permissionService: false,
    env: { AUTH_RATE_LIMIT_MAX: '3' },
  })
  for (let i = 0; i < 3; i++) t.equal((await login(h)).statusCode, 302)
  t.equal((await login(h)).statusCode, 429, 'limited while Redis is up')
  await redis.kill()
  killed = true
  for (let i = 0; i < 5; i++) {
    const started = Date.now()
    t.equal((await login(h)).statusCode, 302, 'Redis down: let through')
    t.ok(Date.now() - started < 1_000, 'at once, not after a Redis timeout')
  }
  const token = await h.login('Thrall#1234')
  t.equal((await h.as(token).get('/me')).statusCode, 200, 'a whole login works')
})

t.test('with a Redis Cluster: the count lives on the node that owns its key', async (t) => {
  const cluster = await startOwnCluster()
  t.teardown(() => cluster.stop())
  const h = await startHarness(t, {
    redis: 'none',
    permissionService: false,
    env: { REDIS_CLUSTER_NODES: cluster.nodes, AUTH_RATE_LIMIT_MAX: '3' },
  })
  for (let i = 0; i < 3; i++) t.equal((await login(h)).statusCode, 302)
  t.equal((await login(h)).statusCode, 429)
  const { Cluster } = await import('ioredis')
  const client = new Cluster(
    cluster.nodes.split(',').map((node) => ({ host: node.split(':')[0] as string, port: Number(node.split(':')[1]) })),
  )
  t.teardown(() => client.disconnect())
  t.equal(await client.get('cache:ratelimit:127.0.0.1'), '4')
  const ttl = await client.pttl('cache:ratelimit:127.0.0.1')
  t.ok(ttl > 0 && ttl <= 60_000, `PTTL ${ttl} ms`)
})
