import t from 'tap'
import { keys } from '../../src/index.js'
import { cacheOn, claimDb, eventually } from '../fixtures/harness.js'

/*
 * Issue 16, item 5: an in-process copy lives at most as long as the entry it copies. Each test waits for
 * Redis itself to have let the entry go (EXISTS turns 0: Redis' clock, not a sleep), then reads through
 * the public API: memory must not answer for an entry that is gone.
 */

const gone = (db: Awaited<ReturnType<typeof claimDb>>, key: string) =>
  eventually(async () => (await db.redis.exists(key)) === 0, 5_000, 20)

t.test('getOrSet: a copy of an entry stored here with a TTL of 1 s is not served once the entry expired', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db, { memory: { ttlMs: 30_000 } })
  t.ok(await eventually(() => cache.propagating()))
  const key = keys.guildMembers(51)
  let loads = 0
  const load = async () => ({ n: ++loads })
  t.same(await cache.getOrSet(key, load, 1), { n: 1 })
  t.same(await cache.getOrSet(key, load, 1), { n: 1 }, 'from memory while the entry lives')
  t.equal(loads, 1)
  t.ok(await gone(db, key), 'Redis let the entry go')
  t.same(await cache.getOrSet(key, load, 1), { n: 2 }, 'loaded again, not the memory copy of an expired entry')
})

t.test('getOrSet and get: a copy of an entry another process stored lives no longer than its TTL left', async (t) => {
  const db = await claimDb(t)
  const writer = await cacheOn(t, db)
  const reader = await cacheOn(t, db, { memory: { ttlMs: 30_000 } })
  t.ok(await eventually(() => reader.propagating()))
  const viaGetOrSet = keys.guildSettings(52)
  const viaGet = keys.userProfile(52)
  t.equal(await writer.set(viaGetOrSet, { from: 'writer' }, 1), true)
  t.equal(await writer.set(viaGet, { from: 'writer' }, 1), true)
  t.same(await reader.getOrSet(viaGetOrSet, async () => ({ from: 'reader' }), 600), { from: 'writer' }, 'a Redis hit')
  t.same(await reader.get(viaGet), { from: 'writer' })
  t.ok((await gone(db, viaGetOrSet)) && (await gone(db, viaGet)), 'Redis let both go')
  t.same(
    await reader.getOrSet(viaGetOrSet, async () => ({ from: 'reader' }), 600),
    { from: 'reader' },
    'getOrSet: loaded, not remembered past the entry',
  )
  t.equal(await reader.get(viaGet), null, 'get: a miss, not remembered past the entry')
})
