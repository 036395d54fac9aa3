import t from 'tap'
import { keys, TTL } from '../../src/index.js'
import { cacheOn, claimDb, deferred, eventually } from '../fixtures/harness.js'

/*
 * getOrSetMany's prefetch: keys nobody asked for, filled alongside the asked ones (the permission
 * service's refill after an invalidation), under the same write guard.
 */

const asked = keys.permission(30, 1, 'roster')
const others = [keys.permission(30, 2, 'roster'), keys.permission(30, 3, 'sync'), keys.permission(30, 1, 'settings')]

t.test(
  'a miss loads the prefetch keys in the same loader call and stores them, returning only the asked values',
  async (t) => {
    const db = await claimDb(t)
    const cache = await cacheOn(t, db)
    const calls: string[][] = []
    const values = await cache.getOrSetMany(
      [asked],
      async (missing) => {
        calls.push(missing)
        return missing.map((key) => ({ key }))
      },
      TTL.permission,
      { prefetch: others },
    )
    t.same(values, [{ key: asked }], 'the asked key only')
    t.equal(calls.length, 1, 'one loader call')
    t.same([...(calls[0] as string[])].sort(), [asked, ...others].sort(), 'with the asked key and every prefetch key')
    for (const key of [asked, ...others]) {
      t.same(JSON.parse((await db.redis.get(key)) as string), { key }, `${key} stored`)
      const ttl = await db.redis.ttl(key)
      t.ok(ttl > 290 && ttl <= TTL.permission, `${key} has the asked TTL (${ttl})`)
    }
    t.equal(cache.stats().misses, 1, 'prefetch keys are not counted as requests')
  },
)

t.test('prefetch keys already in Redis are neither loaded nor rewritten', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  await db.redis.set(others[0] as string, JSON.stringify({ kept: true }), 'EX', 100)
  const calls: string[][] = []
  await cache.getOrSetMany(
    [asked],
    async (missing) => (calls.push(missing), missing.map(() => ({ fresh: true }))),
    TTL.permission,
    { prefetch: others },
  )
  t.notOk(calls[0]?.includes(others[0] as string), 'the present key was not loaded')
  t.same(JSON.parse((await db.redis.get(others[0] as string)) as string), { kept: true })
  t.ok((await db.redis.ttl(others[0] as string)) <= 100, 'nor its TTL extended')
})

t.test('a prefetch key another process is loading is left to it', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  const other = await cacheOn(t, db)
  const loading = deferred<void>()
  const release = deferred<void>()
  const theirs = other.getOrSet(others[1] as string, async () => {
    loading.resolve()
    await release.promise
    return { theirs: true }
  })
  await loading.promise
  const calls: string[][] = []
  await cache.getOrSetMany(
    [asked],
    async (missing) => (calls.push(missing), missing.map(() => ({ ours: true }))),
    TTL.permission,
    { prefetch: others },
  )
  t.notOk(calls[0]?.includes(others[1] as string), 'the key under their lease was not loaded here')
  release.resolve()
  await theirs
  t.same(JSON.parse((await db.redis.get(others[1] as string)) as string), { theirs: true })
})

t.test('when every asked key hits, the prefetch still runs, in the background', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  const present = async (list: string[]) =>
    (await Promise.all(list.map((key) => db.redis.exists(key)))).reduce((a, b) => a + b, 0)
  await db.redis.set(asked, JSON.stringify({ hit: true }), 'EX', 100)
  const release = deferred<void>()
  const loaded: string[][] = []
  const values = await cache.getOrSetMany(
    [asked],
    async (missing) => {
      loaded.push(missing)
      await release.promise
      return missing.map((key) => ({ key }))
    },
    TTL.permission,
    { prefetch: others },
  )
  t.same(values, [{ hit: true }], 'answered before the prefetch finished')
  release.resolve()
  t.ok(await eventually(async () => (await present(others)) === others.length), 'the prefetch keys arrive')
  t.same([...(loaded[0] as string[])].sort(), [...others].sort())
})

t.test('an invalidation while the prefetch loads keeps every value it computed out of Redis', async (t) => {
  const db = await claimDb(t)
  const reader = await cacheOn(t, db)
  const writer = await cacheOn(t, db)
  const present = async (list: string[]) =>
    (await Promise.all(list.map((key) => db.redis.exists(key)))).reduce((a, b) => a + b, 0)
  const readDone = deferred<void>()
  const release = deferred<void>()
  const stale = reader.getOrSetMany(
    [asked],
    async (missing) => {
      readDone.resolve()
      await release.promise
      return missing.map(() => ({ stale: true }))
    },
    TTL.permission,
    { prefetch: others },
  )
  await readDone.promise
  await writer.invalidateGuild(30)
  release.resolve()
  t.same(await stale, [{ stale: true }], 'the caller still gets its answer')
  t.equal(await present([asked, ...others]), 0, 'neither the asked nor a prefetched value landed')
})

t.test('a loader that fails fails the asked call and frees every lease, prefetch included', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  await t.rejects(
    cache.getOrSetMany([asked], async () => Promise.reject(new Error('db down')), TTL.permission, { prefetch: others }),
    { message: 'db down' },
  )
  for (const key of [asked, ...others])
    t.equal(await db.redis.exists(`cache:lease:{${key}}`), 0, `${key}: no lease left behind`)
})

t.test('prefetch keys are validated like asked keys', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  await t.rejects(
    cache.getOrSetMany([asked], async (m) => m, TTL.permission, { prefetch: ['no spaces allowed'] }),
    { name: 'CacheInputError' },
  )
  await t.rejects(
    cache.getOrSetMany([asked], async (m) => m, TTL.permission, {
      prefetch: 'permission:1:2:x' as unknown as string[],
    }),
    {
      name: 'CacheInputError',
    },
  )
})
