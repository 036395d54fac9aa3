import { startTcpProxy } from '@guild/testing'
import t, { type Test } from 'tap'
import { internalKeys, keys, type CacheOptions } from '../../src/index.js'
import { cacheOn, claimDb, deferred, eventually, sleep } from '../fixtures/harness.js'

t.test('1,000 concurrent cached calls for one key in a process → one call of fn', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  let calls = 0
  const profile = cache.cached(
    'user:profile',
    async (bnetId: number) => {
      calls++
      await sleep(20)
      return { bnet_id: bnetId }
    },
    { ttl: 600 },
  )
  const results = await Promise.all(Array.from({ length: 1_000 }, () => profile(456789)))
  t.equal(calls, 1)
  t.ok(results.every((r) => r.bnet_id === 456789))
  t.equal(await db.redis.exists('user:profile:456789'), 1, 'stored under the contract key')
})

t.test('the same without Redis: single-flight does not need it', async (t) => {
  const { createCache } = await import('../../src/index.js')
  const cache = createCache()
  t.teardown(() => cache.close())
  let calls = 0
  const fn = cache.cached('guild', async (id: number) => {
    calls++
    await sleep(10)
    return id
  })
  await Promise.all(Array.from({ length: 1_000 }, () => fn(1)))
  t.equal(calls, 1)
})

t.test('across processes: one loads a missing key, the others wait for its value', async (t) => {
  const db = await claimDb(t)
  const instances = await Promise.all([cacheOn(t, db), cacheOn(t, db), cacheOn(t, db)])
  const key = keys.permission(1, 2, 'roster')
  let calls = 0
  const loader = async () => {
    calls++
    await sleep(50)
    return { has_access: true }
  }
  const results = await Promise.all(
    Array.from({ length: 999 }, (_, i) => (instances[i % 3] as (typeof instances)[0]).getOrSet(key, loader)),
  )
  t.equal(calls, 1, 'one loader call for 999 callers in three processes')
  t.ok(results.every((r) => r.has_access === true))
})

t.test('the wait is bounded: past lockWaitMs a waiter loads itself (and does not write)', async (t) => {
  const db = await claimDb(t)
  const holder = await cacheOn(t, db)
  const waiter = await cacheOn(t, db, { lockWaitMs: 60 })
  const key = keys.guildMembers(3)
  const holding = deferred<void>()
  const release = deferred<void>()
  const slow = holder.getOrSet(key, async () => {
    holding.resolve()
    await release.promise
    return ['from holder']
  })
  await holding.promise
  const started = performance.now()
  const own = await waiter.getOrSet(key, async () => ['from waiter'])
  const waited = performance.now() - started
  t.same(own, ['from waiter'])
  t.ok(waited >= 55 && waited < 1_000, `waited ${waited.toFixed(0)} ms`)
  t.equal(await db.redis.get(key), null, 'the waiter did not write: the lease is the holder’s')
  release.resolve()
  await slow
  t.same(JSON.parse((await db.redis.get(key)) as string), ['from holder'])
})

t.test('a waiter stops waiting as soon as the holder gives its lease back without a value', async (t) => {
  const db = await claimDb(t)
  const holder = await cacheOn(t, db)
  const waiter = await cacheOn(t, db, { lockWaitMs: 5_000 })
  const key = keys.guildMembers(6)
  const holding = deferred<void>()
  const failing = holder
    .getOrSet(key, async () => {
      holding.resolve()
      await sleep(100)
      throw new Error('database down')
    })
    .catch(() => 'failed')
  await holding.promise
  const started = performance.now()
  t.same(await waiter.getOrSet(key, async () => ['from waiter']), ['from waiter'])
  const waited = performance.now() - started
  t.ok(waited >= 90 && waited < 2_000, `waited ${waited.toFixed(0)} ms, not lockWaitMs (5,000)`)
  t.equal(await failing, 'failed')
  t.match(await waiter.metrics.metrics(), /cache_events_total\{event="lock_wait_abandoned"\} 1/)
})

t.test('a holder that dies leaves a lease that expires: loading resumes after lockTtlMs', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db, { lockTtlMs: 150, lockWaitMs: 20 })
  t.equal(cache.lockTtlMs, 150, "the lease lifetime callers can plan with (permission-service's refill does)")
  const key = keys.guildSettings(4)
  // A crashed process's lease: taken, never committed nor released.
  await db.redis.set('cache:lease:{guild:4:settings}', 'dead-process', 'PX', 150)
  t.same(await cache.getOrSet(key, async () => ({ a: 1 })), { a: 1 })
  t.equal(await db.redis.exists(key), 0, 'not stored while the dead lease stands')
  await sleep(200)
  t.same(await cache.getOrSet(key, async () => ({ a: 2 })), { a: 2 })
  t.same(JSON.parse((await db.redis.get(key)) as string), { a: 2 }, 'stored once the lease expired')
})

t.test('a loader that throws gives its lease back at once and caches nothing', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  const key = keys.guildMembers(5)
  await t.rejects(
    cache.getOrSet(key, async () => {
      throw new Error('database down')
    }),
    { message: 'database down' },
  )
  t.equal(await db.redis.exists(key), 0)
  t.equal(await db.redis.exists('cache:lease:{guild:5:members}'), 0, 'lease released')
  t.same(await cache.getOrSet(key, async () => ['ok']), ['ok'])
})

/** The claimed Redis's URL, reached through a TCP proxy on `port` instead (same database index). */
function proxied(url: string, port: number): string {
  return `redis://127.0.0.1:${port}${new URL(url).pathname}`
}

/**
 * A holder process (straight to Redis) loading `key` under its lease until `release`, a second process
 * behind a TCP proxy the test controls, and the count of loads in both. Undefined on a cluster (the proxy
 * fronts one Redis).
 */
async function holderAndProxied(t: Test, key: string, options: CacheOptions) {
  const db = await claimDb(t)
  if (!('url' in db.connection)) return undefined
  const proxy = await startTcpProxy(Number(new URL(db.connection.url).port))
  t.teardown(() => proxy.close())
  const holder = await cacheOn(t, db)
  const other = await cacheOn(t, { ...db, connection: { url: proxied(db.connection.url, proxy.port) } }, options)
  const counted = { loads: 0 }
  const holding = deferred<void>()
  const release = deferred<void>()
  const held = holder.getOrSet(key, async () => {
    counted.loads++
    holding.resolve()
    await release.promise
    return ['from holder']
  })
  await holding.promise
  const second = () =>
    other.getOrSet(key, async () => {
      counted.loads++
      return ['second load']
    })
  return { db, proxy, other, counted, held, release: () => release.resolve(), second }
}

t.test('a lease reply that comes back after the bound (a busy process) still decides: no second load', async (t) => {
  const key = keys.guildMembers(81)
  const setup = await holderAndProxied(t, key, { operationTimeoutMs: 50, lockWaitMs: 5_000 })
  if (setup === undefined) return t.pass('single-instance only: the proxy fronts one Redis')
  const { proxy, other, counted, held, release, second } = setup
  // The second process's lease step reaches Redis (which answers "held"), but its reply is held back
  // past the 50 ms bound: what a process busy with a burst of requests sees.
  proxy.holdRepliesAfter(internalKeys.lease(key))
  const waiting = second()
  t.ok(
    await eventually(
      async () => /cache_events_total\{event="late_reply"\} 1/.test(await other.metrics.metrics()),
      5_000,
    ),
    'its lease step outlived the bound',
  )
  t.equal(counted.loads, 1, 'and it did not load beside the holder')
  proxy.release()
  release()
  t.same(await held, ['from holder'])
  t.same(await waiting, ['from holder'], 'the late reply said "held": it waited for the holder and got its value')
  t.equal(counted.loads, 1, 'one load for the key across both processes')
})

t.test(
  'a lease reply that never comes: the call still ends, within the bound and lockWaitMs, and writes nothing',
  async (t) => {
    const db = await claimDb(t)
    if (!('url' in db.connection)) return t.pass('single-instance only: the proxy fronts one Redis')
    const proxy = await startTcpProxy(Number(new URL(db.connection.url).port))
    t.teardown(() => proxy.close())
    const cache = await cacheOn(
      t,
      { ...db, connection: { url: proxied(db.connection.url, proxy.port) } },
      { operationTimeoutMs: 50, lockWaitMs: 200 },
    )
    const key = keys.guildMembers(82)
    proxy.holdRepliesAfter(internalKeys.lease(key))
    const started = performance.now()
    t.same(await cache.getOrSet(key, async () => ['loaded']), ['loaded'])
    const took = performance.now() - started
    t.ok(took >= 200 && took < 1_000, `gave up on the reply after the bound and lockWaitMs (${took.toFixed(0)} ms)`)
    proxy.release()
    t.equal(await db.redis.exists(key), 0, 'not stored: without the reply it holds no lease')
  },
)

t.test(
  'a GET judged late because this process was busy goes on to the lease, which decides: no second load',
  async (t) => {
    const key = keys.guildMembers(83)
    const setup = await holderAndProxied(t, key, { operationTimeoutMs: 50, lockWaitMs: 5_000 })
    if (setup === undefined) return t.pass('single-instance only: the proxy fronts one Redis')
    const { proxy, other, counted, held, release, second } = setup
    // The busy process's GET reaches Redis; then the process is stuck for 120 ms (a burst of requests to
    // parse), and the reply stays held until the test lets it through.
    proxy.holdRepliesAfter(key, () => {
      const until = performance.now() + 120
      while (performance.now() < until);
    })
    const waiting = second()
    t.ok(
      await eventually(
        async () => /cache_events_total\{event="late_reply"\} 1/.test(await other.metrics.metrics()),
        5_000,
      ),
      'it went on to the lease steps',
    )
    t.equal(counted.loads, 1, 'and did not load beside the holder')
    proxy.release()
    release()
    t.same(await held, ['from holder'])
    t.same(await waiting, ['from holder'])
    t.equal(counted.loads, 1)
  },
)

t.test('a waiter sees the holder’s commit whole: never "no value" before it and "no lease" after it', async (t) => {
  const key = keys.guildMembers(84)
  const setup = await holderAndProxied(t, key, { lockWaitMs: 5_000 })
  if (setup === undefined) return t.pass('single-instance only: the proxy fronts one Redis')
  const { proxy, other, counted, held, release, second } = setup
  const waiting = second()
  t.ok(
    await eventually(async () => /cache_events_total\{event="lock_wait"\} 1/.test(await other.metrics.metrics())),
    'waiting for the holder',
  )
  // The next poll's look at the lease reaches Redis only after the holder committed.
  const polled = deferred<void>()
  proxy.holdRequestsWith(internalKeys.lease(key), () => polled.resolve())
  await polled.promise
  release()
  t.same(await held, ['from holder'])
  proxy.release()
  t.same(await waiting, ['from holder'], 'served the committed value')
  t.equal(counted.loads, 1, 'one load')
  t.notMatch(await other.metrics.metrics(), /lock_wait_abandoned/)
})
