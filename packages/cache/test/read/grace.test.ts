import calculateSlot from 'cluster-key-slot'
import t from 'tap'
import { CacheInputError, createCache, internalKeys, keys, LoaderTimeoutError } from '../../src/index.js'
import type { StaleReason } from '../../src/index.js'
import { cacheOn, claimDb, deferred, eventually } from '../fixtures/harness.js'

/*
 * Issue 16, parts 2 and 3: grace periods and loader timeouts. A value stored with `grace` leaves a stale
 * copy (`cache:stale:{KEY}`, TTL + grace) written by the same script as the entry; after the entry's TTL a
 * loader that fails or outlives a timeout is answered with it. Expiry is forced by deleting the entry
 * (what its TTL would do), so nothing here waits on a clock.
 */

t.test('a stale copy shares its entry’s Cluster slot, so one script writes both', async (t) => {
  const sample = [
    keys.permission(1, 2, 'roster'),
    keys.guildMembers(3),
    keys.userProfile(5),
    keys.userSession('f'.repeat(64)),
    'temp:x',
  ]
  for (const key of sample) t.equal(calculateSlot(internalKeys.stale(key)), calculateSlot(key), key)
})

const failing = async (): Promise<never> => {
  throw new Error('database down')
}

t.test(
  'after the TTL, a failing loader is answered with the stale copy, counted in stats, metrics and events',
  async (t) => {
    const db = await claimDb(t)
    const cache = await cacheOn(t, db)
    const key = keys.guildMembers(301)
    t.same(await cache.getOrSet(key, async () => ['v1'], 5, { grace: 60 }), ['v1'])
    t.same(
      JSON.parse((await db.redis.get(internalKeys.stale(key))) as string),
      ['v1'],
      'the stale copy holds the value',
    )
    const staleTtl = await db.redis.ttl(internalKeys.stale(key))
    t.ok(staleTtl > 60 && staleTtl <= 65, `stale copy lives ttl + grace (${staleTtl} s)`)
    const entryTtl = await db.redis.ttl(key)
    t.ok(entryTtl > 0 && entryTtl <= 5, `the entry keeps its own TTL (${entryTtl} s)`)
    const served: { key: string; reason: StaleReason }[] = []
    cache.on('stale-served', (e) => served.push(e))
    await db.redis.del(key)
    t.same(await cache.getOrSet(key, failing, 5, { grace: 60 }), ['v1'], 'the stale value answers')
    t.equal(cache.stats().staleServed, 1)
    t.same(served, [{ key, reason: 'error' }])
    t.match(await cache.metrics.metrics(), /cache_events_total\{event="stale_served"\} 1/)
    t.equal(await db.redis.exists(key), 0, 'nothing was stored from the failure')
  },
)

t.test('without grace, no stale copy is written and the loader error reaches the caller', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  const key = keys.guildMembers(302)
  await cache.getOrSet(key, async () => ['v1'], 5)
  t.equal(await db.redis.exists(internalKeys.stale(key)), 0)
  await db.redis.del(key)
  await t.rejects(cache.getOrSet(key, failing, 5), /database down/)
  t.equal(cache.stats().staleServed, 0)
})

t.test('a write without grace removes an older stale copy, and so does set', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  const key = keys.guildSettings(303)
  await cache.getOrSet(key, async () => ({ v: 1 }), 5, { grace: 60 })
  await db.redis.del(key)
  await cache.getOrSet(key, async () => ({ v: 2 }), 5)
  t.equal(await db.redis.exists(internalKeys.stale(key)), 0, 'a commit without grace')
  await db.redis.del(key)
  await cache.getOrSet(key, async () => ({ v: 3 }), 5, { grace: 60 })
  t.equal(await cache.set(key, { v: 4 }), true)
  t.equal(await db.redis.exists(internalKeys.stale(key)), 0, 'set: the old value cannot answer for a failing loader')
  await db.redis.del(key)
  await t.rejects(cache.getOrSet(key, failing, 5, { grace: 60 }), /database down/)
  const token = await cache.token(key)
  await cache.getOrSet(keys.guildSettings(304), async () => ({ v: 5 }), 5, { grace: 60 })
  t.equal(await cache.set(key, { v: 6 }, 5, { ifUnchangedSince: token }), true)
  t.equal(await db.redis.exists(internalKeys.stale(key)), 0, 'a guarded set writes no stale copy')
})

t.test(
  'ttl + grace above a day is refused, by getOrSet, getOrSetMany and setTtl; a bad grace or timeout too',
  async (t) => {
    const db = await claimDb(t)
    const cache = await cacheOn(t, db)
    const key = keys.guildMembers(305)
    await t.rejects(
      cache.getOrSet(key, async () => 1, 86_000, { grace: 401 }),
      CacheInputError,
    )
    await t.rejects(
      cache.getOrSet(key, async () => 1, 86_000, { grace: 401 }),
      /ttl \+ grace/,
    )
    await t.rejects(
      cache.getOrSetMany([key], async () => [1], 86_000, { grace: 401 }),
      CacheInputError,
    )
    await t.rejects(
      cache.getOrSet(key, async () => 1, 60, { grace: -1 }),
      /grace must be/,
    )
    await t.rejects(
      cache.getOrSet(key, async () => 1, 60, { grace: 1.5 }),
      /grace must be/,
    )
    await t.rejects(
      cache.getOrSet(key, async () => 1, 60, { timeouts: { hard: 0 } }),
      /timeouts.hard/,
    )
    await t.rejects(
      cache.getOrSet(
        key,
        async (ctx) => {
          ctx.setTtl(86_000)
          return 1
        },
        60,
        { grace: 401 },
      ),
      /ttl \+ grace/,
    )
    t.equal(await db.redis.exists(key), 0, 'nothing stored')
    t.equal(await cache.getOrSet(key, async () => 2, 86_000, { grace: 400 }), 2, 'exactly a day is fine')
    t.ok((await db.redis.ttl(internalKeys.stale(key))) <= 86_400)
    t.throws(() => createCache({ timeouts: { soft: 0 } }), /createCache: timeouts.soft/)
  },
)

t.test('the index registration covers the stale copy: an invalidation finds it for ttl + grace', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  const key = keys.guildMembers(306)
  await cache.getOrSet(key, async () => ['v'], 5, { grace: 600 })
  const score = Number(await db.redis.zscore(internalKeys.guildIndex(306), key))
  const [seconds] = (await db.redis.time()) as [string | number, string | number]
  const leftS = (score - Number(seconds) * 1_000) / 1_000
  t.ok(leftS > 600, `index member lives past the entry, with the stale copy (${leftS} s)`)
})

t.test('soft timeout: the stale copy answers while the loader goes on and stores its value when done', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db, { timeouts: { soft: 30 } })
  const key = keys.userProfile(307)
  await cache.getOrSet(key, async () => ({ name: 'old' }), 5, { grace: 60 })
  await db.redis.del(key)
  const slow = deferred<{ name: string }>()
  const reasons: StaleReason[] = []
  cache.on('stale-served', (e) => reasons.push(e.reason))
  t.same(
    await cache.getOrSet(key, () => slow.promise, 5, { grace: 60 }),
    { name: 'old' },
    'answered at the soft timeout',
  )
  t.same(reasons, ['soft-timeout'])
  slow.resolve({ name: 'new' })
  t.ok(
    await eventually(async () => (await db.redis.get(key)) === JSON.stringify({ name: 'new' })),
    'the background load committed',
  )
  t.same(JSON.parse((await db.redis.get(internalKeys.stale(key))) as string), { name: 'new' }, 'with a new stale copy')
})

t.test('soft timeout without a stale copy: the loader is waited for', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  const key = keys.userProfile(308)
  const slow = deferred<{ name: string }>()
  const answer = cache.getOrSet(key, () => slow.promise, 5, { grace: 60, timeouts: { soft: 10 } })
  setTimeout(() => slow.resolve({ name: 'fresh' }), 60)
  t.same(await answer, { name: 'fresh' })
  t.equal(cache.stats().staleServed, 0)
})

t.test(
  'hard timeout: LoaderTimeoutError without a stale copy, the stale value with one; per-call timeouts win',
  async (t) => {
    const db = await claimDb(t)
    const cache = await cacheOn(t, db, { timeouts: { hard: 60_000 } })
    const key = keys.guildSettings(309)
    const never = deferred<{ v: number }>()
    t.teardown(() => never.resolve({ v: 0 }))
    const err = await cache.getOrSet(key, () => never.promise, 5, { timeouts: { hard: 30 } }).catch((e: unknown) => e)
    t.type(err, LoaderTimeoutError)
    t.match(err, { code: 'CACHE_LOADER_TIMEOUT', key, timeoutMs: 30 })
    t.match(await cache.metrics.metrics(), /cache_events_total\{event="loader_timeout"\} 1/)

    const other = keys.guildSettings(310)
    await cache.getOrSet(other, async () => ({ v: 1 }), 5, { grace: 60 })
    await db.redis.del(other)
    const reasons: StaleReason[] = []
    cache.on('stale-served', (e) => reasons.push(e.reason))
    t.same(await cache.getOrSet(other, () => never.promise, 5, { grace: 60, timeouts: { hard: 30 } }), { v: 1 })
    t.same(reasons, ['hard-timeout'])
  },
)

t.test(
  'getOrSetMany with grace: a failing loader is answered with every stale copy, or fails when one is missing',
  async (t) => {
    const db = await claimDb(t)
    const cache = await cacheOn(t, db)
    const a = keys.userProfile(311)
    const b = keys.userProfile(312)
    const c = keys.userProfile(313)
    t.same(await cache.getOrSetMany([a, b], async (missing) => missing.map((k) => ({ k })), 5, { grace: 60 }), [
      { k: a },
      { k: b },
    ])
    // One key a command: on a Cluster the two are in different slots.
    t.equal((await db.redis.exists(internalKeys.stale(a))) + (await db.redis.exists(internalKeys.stale(b))), 2)
    await Promise.all([db.redis.del(a), db.redis.del(b)])
    t.same(await cache.getOrSetMany([a, b], failing, 5, { grace: 60 }), [{ k: a }, { k: b }])
    t.equal(cache.stats().staleServed, 2, 'counted per key')
    await t.rejects(
      cache.getOrSetMany([a, c], failing, 5, { grace: 60 }),
      /database down/,
      'c has no stale copy: the batch fails whole',
    )
  },
)

t.test('grace is off the hot path: a hit reads no stale copy', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  const key = keys.guildMembers(314)
  await cache.getOrSet(key, async () => ['v'], 5, { grace: 60 })
  await db.redis.set(internalKeys.stale(key), JSON.stringify(['tampered']), 'EX', 60)
  t.same(await cache.getOrSet(key, failing, 5, { grace: 60 }), ['v'], 'the entry answers while it lives')
})
