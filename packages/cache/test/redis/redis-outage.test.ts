import { freePort, startOwnRedis, startTcpProxy } from '@guild/testing'
import t from 'tap'
import { createCache, keys } from '../../src/index.js'
import { eventually, silentLogger, sleep } from '../fixtures/harness.js'

/** The longest any single call may take against a broken Redis: the 50 ms bound plus scheduling slack. */
const BOUND_MS = 50
const SLACK_MS = 40

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now()
  const value = await fn()
  return { ms: performance.now() - started, value }
}

/** Every kind of call, each of which must return (not throw, not hang) within the bound. */
async function everyCall(cache: ReturnType<typeof createCache>) {
  return [
    await timed(() => cache.get(keys.guildMembers(1))),
    await timed(() => cache.set(keys.guildMembers(1), [1])),
    await timed(() => cache.getOrSet(keys.permission(1, 2, 'roster'), async () => ({ has_access: false }))),
    await timed(() => cache.getOrSetMany([keys.userProfile(3), keys.userProfile(4)], async (m) => m.map(() => ({})))),
    await timed(() => cache.getPermissionCheck(1, 2, 'roster')),
    await timed(() => cache.setPermissionCheck(1, 2, 'roster', true)),
    await timed(() => cache.invalidateGuild(1)),
    await timed(() => cache.invalidateUser(2)),
    await timed(() => cache.delete('temp:x')),
  ]
}

t.test('REDIS_URL unset: disabled, no errors, loaders answer', async (t) => {
  const cache = createCache({})
  t.teardown(() => cache.close())
  t.equal(cache.enabled, false)
  t.equal(cache.state(), 'disabled')
  t.equal(cache.lockTtlMs, 2_000, 'the default lease lifetime')
  for (const { value } of await everyCall(cache)) void value
  t.equal(await cache.get('temp:a'), null)
  t.equal(await cache.set('temp:a', 1), false)
  t.same(await cache.getOrSet('temp:a', async () => 5), 5)
  t.same(cache.stats(), {
    hits: 0,
    misses: 0,
    errors: 0,
    hitRate: 0,
    redis: 'disabled',
    peers: 0,
    unacked: 0,
    staleServed: 0,
  })
})

t.test('nothing listens on the port: every call within the bound, then the breaker answers at once', async (t) => {
  const port = await freePort()
  const logger = silentLogger()
  const cache = createCache({ url: `redis://127.0.0.1:${port}/0`, logger, busChannel: 'cache:test:outage1' })
  t.teardown(() => cache.close())
  // Called before the first connection attempt has settled: waits for it, within the bound.
  const first = await timed(() => cache.get('temp:a'))
  t.equal(first.value, null)
  t.ok(first.ms < BOUND_MS + SLACK_MS, `first call ${first.ms.toFixed(1)} ms`)
  await cache.ready
  t.equal(cache.state(), 'down')
  for (const [i, call] of (await everyCall(cache)).entries())
    t.ok(call.ms < BOUND_MS + SLACK_MS, `call ${i}: ${call.ms.toFixed(1)} ms`)
  const errorsBefore = cache.stats().errors
  // "At once" without a clock (a busy machine stretches any wall-time bound): every call settles before
  // the event loop's next turn, so none waited on a socket or a timer.
  let nextTurn = false
  setImmediate(() => (nextTurn = true))
  const burst = await Promise.all(
    Array.from({ length: 1_000 }, () => cache.get('temp:b').then((value) => ({ value, nextTurn }))),
  )
  t.ok(
    burst.every((call) => call.value === null && !call.nextTurn),
    '1,000 calls with the breaker open all answered within the same turn of the event loop',
  )
  t.equal(cache.stats().errors, errorsBefore, 'an open breaker makes no attempt, so counts no new error')
  const errorLines = logger.lines.filter((l) => l.level === 'error').length
  t.ok(errorLines <= 6, `errors logged at most once per interval per operation (${errorLines} lines)`)
})

t.test('Redis dies mid-run, then returns: bounded calls meanwhile, caching resumes by itself', async (t) => {
  const redis = await startOwnRedis()
  t.teardown(() => redis.stop())
  const cache = createCache({
    url: redis.url,
    logger: silentLogger(),
    breakerProbeIntervalMs: 100,
    busChannel: 'cache:test:outage2',
  })
  t.teardown(() => cache.close())
  await cache.ready
  t.equal(cache.state(), 'up')
  t.equal(await cache.set('temp:a', 1), true)
  t.equal(await cache.get('temp:a'), 1)

  await redis.kill()
  for (const [i, call] of (await everyCall(cache)).entries())
    t.ok(call.ms < BOUND_MS + SLACK_MS, `while dead, call ${i}: ${call.ms.toFixed(1)} ms`)
  t.ok(await eventually(() => cache.state() === 'down'), 'reported down')
  let loads = 0
  t.equal(await cache.getOrSet('temp:b', async () => ++loads), 1, 'the loader answers while Redis is gone')

  await redis.restart()
  t.ok(await eventually(() => cache.state() === 'up', 5_000), 'reported up again, without a restart')
  t.equal(await cache.set('temp:c', 'back'), true)
  t.equal(await cache.get('temp:c'), null, 'just back: reads skip Redis for the recovery grace')
  t.ok(await eventually(async () => (await cache.get('temp:c')) === 'back', 5_000), 'caching resumed')
})

t.test('Redis hanging (CLIENT PAUSE): calls bounded, breaker opens, closes once it answers again', async (t) => {
  const redis = await startOwnRedis()
  t.teardown(() => redis.stop())
  const cache = createCache({
    url: redis.url,
    logger: silentLogger(),
    breakerProbeIntervalMs: 100,
    busChannel: 'cache:test:outage3',
  })
  t.teardown(() => cache.close())
  await cache.ready
  const { Redis } = await import('ioredis')
  const admin = new Redis(redis.port, '127.0.0.1')
  t.teardown(() => admin.disconnect())
  await admin.call('CLIENT', 'PAUSE', '1500', 'ALL')
  for (const [i, call] of (await everyCall(cache)).entries())
    t.ok(call.ms < BOUND_MS + SLACK_MS, `while paused, call ${i}: ${call.ms.toFixed(1)} ms`)
  t.equal(cache.state(), 'down', 'the breaker opened')
  const fast = await timed(() => cache.get('temp:a'))
  t.ok(fast.ms < 5, `an open breaker answers at once (${fast.ms.toFixed(2)} ms)`)
  t.ok(await eventually(() => cache.state() === 'up', 5_000), 'closed again after the pause')
  t.equal(await cache.set('temp:a', 2), true)
  t.ok(
    await eventually(async () => (await cache.get('temp:a')) === 2, 5_000),
    'read again once the recovery grace is over',
  )
})

t.test('a link that hangs (proxy stops forwarding) and is cut: bounded, then recovers', async (t) => {
  const redis = await startOwnRedis()
  t.teardown(() => redis.stop())
  const proxy = await startTcpProxy(redis.port)
  t.teardown(() => proxy.close())
  const cache = createCache({
    url: `redis://127.0.0.1:${proxy.port}/0`,
    logger: silentLogger(),
    breakerProbeIntervalMs: 100,
    busChannel: 'cache:test:outage4',
  })
  t.teardown(() => cache.close())
  await cache.ready
  t.equal(await cache.set('temp:a', 1), true)
  proxy.hang()
  for (const [i, call] of (await everyCall(cache)).entries())
    t.ok(call.ms < BOUND_MS + SLACK_MS, `hung link, call ${i}: ${call.ms.toFixed(1)} ms`)
  await proxy.cut()
  for (const [i, call] of (await everyCall(cache)).entries())
    t.ok(call.ms < BOUND_MS + SLACK_MS, `cut link, call ${i}: ${call.ms.toFixed(1)} ms`)
  await proxy.restore()
  t.ok(
    await eventually(async () => (await cache.set('temp:a', 3)) && (await cache.get('temp:a')) === 3, 5_000),
    'caching resumed',
  )
})

t.test('an invalidation that could not reach Redis is retried until it does', async (t) => {
  const redis = await startOwnRedis()
  t.teardown(() => redis.stop())
  const proxy = await startTcpProxy(redis.port)
  t.teardown(() => proxy.close())
  const cache = createCache({
    url: `redis://127.0.0.1:${proxy.port}/0`,
    logger: silentLogger(),
    breakerProbeIntervalMs: 100,
    busChannel: 'cache:test:outage5',
  })
  t.teardown(() => cache.close())
  await cache.ready
  const key = keys.permission(9, 90, 'roster')
  await cache.getOrSet(key, async () => ({ has_access: true }))
  const { Redis } = await import('ioredis')
  const direct = new Redis(redis.port, '127.0.0.1')
  t.teardown(() => direct.disconnect())
  t.equal(await direct.exists(key), 1)
  await cache.invalidateUser(90)
  t.equal(cache.pendingInvalidations(), 0, 'one that reached Redis is not pending')
  await cache.getOrSet(key, async () => ({ has_access: true }))
  // This process loses Redis; others (the direct connection) still see the stale entry.
  await proxy.cut()
  await sleep(20)
  await cache.invalidateGuild(9)
  t.equal(cache.pendingInvalidations(), 1, 'said to be pending (a writer keeps its outbox row)')
  t.equal(await direct.exists(key), 1, 'the entry outlived the failed invalidation, for now')
  await proxy.restore()
  t.ok(await eventually(async () => (await direct.exists(key)) === 0, 5_000), 'removed once Redis was reachable again')
  t.ok(await eventually(async () => cache.pendingInvalidations() === 0, 5_000), 'and no longer pending')
})

t.test('a service boots while Redis is down and starts caching when it comes up', async (t) => {
  const port = await freePort()
  const cache = createCache({
    url: `redis://127.0.0.1:${port}/0`,
    logger: silentLogger(),
    breakerProbeIntervalMs: 100,
    busChannel: 'cache:test:outage6',
  })
  t.teardown(() => cache.close())
  await cache.ready
  t.equal(cache.state(), 'down')
  const redis = await startOwnRedis(port)
  t.teardown(() => redis.stop())
  t.ok(await eventually(() => cache.state() === 'up', 5_000), 'connected by itself')
  // The SUBSCRIBE queued at boot failed with the first connection attempt; the bus must send its own.
  t.ok(
    await eventually(() => cache.propagating(), 5_000),
    'the bus subscribed once Redis came: memory can be trusted again',
  )
  t.equal(await cache.set('temp:a', 'late'), true)
  t.ok(
    await eventually(async () => (await cache.get('temp:a')) === 'late', 5_000),
    'read once the recovery grace is over',
  )
})

t.test(
  'a Redis that hangs: memory is dropped and not trusted within a few heartbeats; after it, reads wait out the grace',
  async (t) => {
    const redis = await startOwnRedis()
    t.teardown(() => redis.stop())
    const cache = createCache({
      url: redis.url,
      logger: silentLogger(),
      breakerProbeIntervalMs: 100,
      busChannel: 'cache:test:outage7',
      memory: { ttlMs: 60_000 },
      recoveryGraceMs: 500,
    })
    t.teardown(() => cache.close())
    await cache.ready
    t.ok(await eventually(() => cache.propagating()), 'hears its own heartbeat')
    let loads = 0
    await cache.getOrSet('temp:m', async () => ++loads)
    t.equal(await cache.getOrSet('temp:m', async () => ++loads), 1, 'from memory')
    const heard: string[] = []
    cache.onInvalidate((e) => heard.push(e.scope))
    const { Redis } = await import('ioredis')
    const admin = new Redis(redis.port, '127.0.0.1')
    t.teardown(() => admin.disconnect())
    const pausedAt = performance.now()
    await admin.call('CLIENT', 'PAUSE', '1200', 'ALL')
    t.ok(await eventually(() => !cache.propagating(), 1_000, 5), 'stops trusting memory')
    const noticed = performance.now() - pausedAt
    t.ok(noticed < 600, `within ${noticed.toFixed(0)} ms of the hang (no call made meanwhile)`)
    t.ok(await eventually(() => heard.includes('all'), 1_000, 5), 'and dropped what it held')
    t.equal(await cache.getOrSet('temp:m', async () => ++loads), 2, 'the loader answers, not memory')
    // Written during the hang by someone who could still reach it? Here: an entry present when Redis returns.
    t.ok(await eventually(() => cache.state() === 'up', 5_000), 'Redis back')
    await admin.set('temp:stale', '"old"', 'EX', 60)
    t.equal(await cache.getOrSet('temp:stale', async () => 'fresh'), 'fresh', 'within the grace, Redis is not read')
    t.equal(cache.propagating(), false, 'nor memory trusted')
    t.ok(await eventually(() => cache.propagating(), 2_000), 'then both come back by themselves')
    t.equal(await cache.get('temp:stale'), 'old')
  },
)

t.test(
  'invalidationOutwaitsSilence: an invalidation that cannot reach Redis returns only after the others have noticed',
  async (t) => {
    const redis = await startOwnRedis()
    t.teardown(() => redis.stop())
    const writer = createCache({
      url: redis.url,
      logger: silentLogger(),
      breakerProbeIntervalMs: 100,
      busChannel: 'cache:test:outage8',
      invalidationOutwaitsSilence: true,
    })
    const reader = createCache({
      url: redis.url,
      logger: silentLogger(),
      breakerProbeIntervalMs: 100,
      busChannel: 'cache:test:outage8',
      memory: { ttlMs: 60_000 },
    })
    t.teardown(() => writer.close())
    t.teardown(() => reader.close())
    await Promise.all([writer.ready, reader.ready])
    t.ok(await eventually(() => reader.propagating()))
    const { Redis } = await import('ioredis')
    const admin = new Redis(redis.port, '127.0.0.1')
    t.teardown(() => admin.disconnect())
    await admin.call('CLIENT', 'PAUSE', '1500', 'ALL')
    const started = performance.now()
    await writer.invalidateGuild(1)
    const took = performance.now() - started
    t.equal(reader.propagating(), false, 'when it returns, the reader no longer trusts its memory')
    t.ok(took < 1_000, `bounded: ${took.toFixed(0)} ms`)
    t.ok(await eventually(() => writer.state() === 'up', 5_000))
  },
)
