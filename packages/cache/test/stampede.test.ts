import t from 'tap'
import { keys } from '../src/index.js'
import { cacheOn, claimDb, deferred, sleep } from './fixtures/harness.js'

t.test('1,000 concurrent cached calls for one key in a process → one call of fn', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  let calls = 0
  const profile = cache.cached('user:profile', async (bnetId: number) => {
    calls++
    await sleep(20)
    return { bnet_id: bnetId }
  }, { ttl: 600 })
  const results = await Promise.all(Array.from({ length: 1_000 }, () => profile(456789)))
  t.equal(calls, 1)
  t.ok(results.every((r) => r.bnet_id === 456789))
  t.equal(await db.redis.exists('user:profile:456789'), 1, 'stored under the contract key')
})

t.test('the same without Redis: single-flight does not need it', async (t) => {
  const { createCache } = await import('../src/index.js')
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
  const results = await Promise.all(Array.from({ length: 999 }, (_, i) => (instances[i % 3] as (typeof instances)[0]).getOrSet(key, loader)))
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
  t.equal(cache.lockTtlMs, 150, 'the lease lifetime callers can plan with (permission-service\'s refill does)')
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
  await t.rejects(cache.getOrSet(key, async () => {
    throw new Error('database down')
  }), { message: 'database down' })
  t.equal(await db.redis.exists(key), 0)
  t.equal(await db.redis.exists('cache:lease:{guild:5:members}'), 0, 'lease released')
  t.same(await cache.getOrSet(key, async () => ['ok']), ['ok'])
})
