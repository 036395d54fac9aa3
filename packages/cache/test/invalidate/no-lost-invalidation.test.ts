import t from 'tap'
import { keys, TTL } from '../../src/index.js'
import { cacheOn, claimDb, deferred, eventually } from '../fixtures/harness.js'

/*
 * Guarantee 4. Each test pauses a loader after it has "read the database" (it resolves the old value),
 * runs an invalidation while it is paused, then lets it finish: the stale value must not land in Redis,
 * and the next read must load afresh.
 */

t.test('a loader paused across invalidateGuild does not write its stale value back', async (t) => {
  const db = await claimDb(t)
  const reader = await cacheOn(t, db)
  const writer = await cacheOn(t, db) // another process: guild-api, say
  const key = keys.permission(7, 70, 'roster')

  const readDone = deferred<void>()
  const release = deferred<void>()
  const stale = reader.getOrSet(key, async () => {
    readDone.resolve() // it has read the old rank from the database
    await release.promise
    return { has_access: true }
  })
  await readDone.promise
  t.equal(await db.redis.exists('cache:lease:{permission:7:70:roster}'), 1, 'the reader holds a lease while it loads')
  // The writer commits the revoke to the database, then invalidates.
  await writer.invalidateGuild(7)
  release.resolve()
  t.same(await stale, { has_access: true }, 'the slow reader still answers its own caller')
  t.equal(await db.redis.get(key), null, 'but its stale value never reached Redis')

  const fresh = await reader.getOrSet(key, async () => ({ has_access: false }))
  t.same(fresh, { has_access: false })
  t.same(JSON.parse((await db.redis.get(key)) as string), { has_access: false })
})

t.test('the same for invalidateUser, delete and deletePattern', async (t) => {
  const db = await claimDb(t)
  const reader = await cacheOn(t, db)
  const writer = await cacheOn(t, db)
  const cases: [string, string, () => Promise<unknown>][] = [
    ['invalidateUser (permission entry)', keys.permission(8, 80, 'sync'), () => writer.invalidateUser(80)],
    ['invalidateUser (profile)', keys.userProfile(81), () => writer.invalidateUser(81)],
    ['invalidateGuild (members)', keys.guildMembers(9), () => writer.invalidateGuild(9)],
    ['delete', keys.guildSettings(10), () => writer.delete(keys.guildSettings(10))],
    ['deletePattern', keys.permission(11, 110, 'roster'), () => writer.deletePattern('permission:11:*')],
  ]
  for (const [label, key, invalidate] of cases) {
    const readDone = deferred<void>()
    const release = deferred<void>()
    const stale = reader.getOrSet(key, async () => {
      readDone.resolve()
      await release.promise
      return { stale: true }
    })
    await readDone.promise
    await invalidate()
    release.resolve()
    await stale
    t.equal(await db.redis.get(key), null, `${label}: nothing stale stored`)
  }
})

t.test('a session entry owned by a user is guarded by invalidateUser', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  const key = keys.userSession('b'.repeat(64))
  const readDone = deferred<void>()
  const release = deferred<void>()
  const stale = cache.getOrSet(
    key,
    async () => {
      readDone.resolve()
      await release.promise
      return { bnet_id: 5 }
    },
    TTL.session,
    { user: 5 },
  )
  await readDone.promise
  await cache.invalidateUser(5)
  release.resolve()
  await stale
  t.equal(await db.redis.get(key), null)
})

t.test('an invalidation that finished before the read began does not stop the fresh value', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  const key = keys.guildMembers(12)
  await cache.invalidateGuild(12)
  t.same(await cache.getOrSet(key, async () => ['fresh']), ['fresh'])
  t.same(JSON.parse((await db.redis.get(key)) as string), ['fresh'], 'stored, as it was read after the change')
  const ttl = await db.redis.ttl(key)
  t.ok(ttl > 295 && ttl <= 300)
})

t.test('an entry stays invalidatable after an earlier invalidation and a fresh write (index kept)', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  const key = keys.permission(13, 130, 'roster')
  await cache.getOrSet(key, async () => ({ has_access: true }))
  await cache.invalidateGuild(13)
  await cache.getOrSet(key, async () => ({ has_access: false }))
  t.equal(await db.redis.exists(key), 1)
  t.equal(await cache.invalidateGuild(13), 1, 'the second invalidation finds the re-written entry')
  t.equal(await db.redis.exists(key), 0)
})

t.test('getOrSetMany: a batch loader paused across an invalidation stores none of its stale values', async (t) => {
  const db = await claimDb(t)
  const reader = await cacheOn(t, db)
  const writer = await cacheOn(t, db)
  const batch = [keys.permission(14, 1, 'roster'), keys.permission(14, 2, 'roster'), keys.permission(15, 1, 'roster')]
  const readDone = deferred<void>()
  const release = deferred<void>()
  const stale = reader.getOrSetMany(batch, async (missing) => {
    readDone.resolve()
    await release.promise
    return missing.map(() => ({ has_access: true }))
  })
  await readDone.promise
  await writer.invalidateGuild(14)
  release.resolve()
  t.equal((await stale).length, 3)
  t.equal(await db.redis.exists(batch[0] as string), 0, 'guild 14 entry not stored')
  t.equal(await db.redis.exists(batch[1] as string), 0, 'guild 14 entry not stored')
  t.equal(await db.redis.exists(batch[2] as string), 1, 'guild 15 was not invalidated, so its value is stored')
})

t.test('in-process single-flight: a caller arriving after an invalidation does not join the stale load', async (t) => {
  const db = await claimDb(t)
  const reader = await cacheOn(t, db)
  const writer = await cacheOn(t, db)
  const key = keys.permission(16, 160, 'roster')
  const readDone = deferred<void>()
  const release = deferred<void>()
  let calls = 0
  const first = reader.getOrSet(key, async () => {
    calls++
    readDone.resolve()
    await release.promise
    return { has_access: true }
  })
  await readDone.promise
  await writer.invalidateGuild(16) // resolves once the reader's process has acknowledged it on the bus
  const second = reader.getOrSet(key, async () => {
    calls++
    return { has_access: false }
  })
  t.same(await second, { has_access: false }, 'the later caller got a fresh load, not the in-flight stale one')
  release.resolve()
  t.same(await first, { has_access: true })
  t.equal(calls, 2)
  t.ok(await eventually(async () => (await db.redis.get(key)) !== null))
  t.same(JSON.parse((await db.redis.get(key)) as string), { has_access: false }, 'only the fresh value is stored')
})
