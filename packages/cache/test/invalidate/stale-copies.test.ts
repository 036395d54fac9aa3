import t from 'tap'
import { internalKeys, keys } from '../../src/index.js'
import { cacheOn, claimDb, type TestDb } from '../fixtures/harness.js'

/*
 * A key may have a stale copy at `cache:stale:{KEY}` (grace periods), living past KEY's TTL. Every removal
 * path takes it with KEY and KEY's lease. The copies are written here by hand, as the read path would.
 * In the cluster run (CACHE_TEST_REDIS=cluster) the same paths go through the Cluster's per-entry scripts.
 */

const staleCopy = (db: TestDb, key: string) =>
  db.redis.set(internalKeys.stale(key), JSON.stringify('old'), 'PX', 60_000)
const lease = (db: TestDb, key: string) => db.redis.set(internalKeys.lease(key), 'a-reader', 'PX', 10_000)
const exists = async (db: TestDb, key: string) => (await db.redis.exists(key)) === 1

t.test('delete removes the entry, its lease and its stale copy', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  const key = keys.guildSettings(1)
  await cache.set(key, { a: 1 }, 60)
  await staleCopy(db, key)
  await lease(db, key)
  t.equal(await cache.delete(key), 1)
  for (const k of [key, internalKeys.lease(key), internalKeys.stale(key)]) t.notOk(await exists(db, k), `${k} gone`)
  // An entry already expired: its stale copy still goes.
  await staleCopy(db, key)
  t.equal(await cache.delete(key), 0, 'no entry to count')
  t.notOk(await exists(db, internalKeys.stale(key)), 'its stale copy gone all the same')
})

t.test('deletePattern removes stale copies, those of expired entries too, and spares others', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  const live = keys.permission(9, 1, 'roster')
  const expired = keys.permission(9, 2, 'roster')
  const other = keys.permission(10, 1, 'roster')
  await cache.setPermissionCheck(9, 1, 'roster', true)
  for (const k of [live, expired, other]) await staleCopy(db, k)
  await lease(db, expired)
  t.equal(await cache.deletePattern('permission:9:*'), 1, 'one entry existed')
  for (const k of [live, internalKeys.stale(live), internalKeys.stale(expired), internalKeys.lease(expired)])
    t.notOk(await exists(db, k), `${k} gone`)
  t.ok(await exists(db, internalKeys.stale(other)), 'a stale copy the pattern does not match stays')
})

t.test('invalidateGuild, invalidateUser and invalidateTags take stale copies through the index', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  const session = keys.userSession('e'.repeat(64))
  const cases: [string, string, () => Promise<unknown>, () => Promise<number>][] = [
    [
      'guild',
      keys.permission(12, 1, 'roster'),
      () => cache.setPermissionCheck(12, 1, 'roster', true),
      () => cache.invalidateGuild(12),
    ],
    [
      'guild members (by name)',
      keys.guildMembers(13),
      () => cache.set(keys.guildMembers(13), [1], 60),
      () => cache.invalidateGuild(13),
    ],
    [
      'user session',
      session,
      () => cache.set(session, { bnet_id: 14 }, 60, { user: 14 }),
      () => cache.invalidateUser(14),
    ],
    [
      'tag',
      'raid:3:roster',
      () => cache.getOrSet('raid:3:roster', async () => [1], 60, { tags: ['raid:3'] }),
      () => cache.invalidateTags(['raid:3']),
    ],
  ]
  for (const [label, key, write, invalidate] of cases) {
    await write()
    await staleCopy(db, key)
    t.equal(await invalidate(), 1, `${label}: one entry`)
    t.notOk(await exists(db, key), `${label}: entry gone`)
    t.notOk(await exists(db, internalKeys.stale(key)), `${label}: stale copy gone`)
  }
})
