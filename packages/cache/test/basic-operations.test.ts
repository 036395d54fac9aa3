import t from 'tap'
import { createCache, keys, TTL } from '../src/index.js'
import { cacheOn, claimDb } from './fixtures/harness.js'

t.test('get, set, delete as the seed shows them', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  t.equal(cache.enabled, true)
  t.equal(cache.state(), 'up')
  t.equal(await cache.get('temp:key'), null)
  t.equal(await cache.set('temp:key', { data: 'value' }), true)
  t.same(await cache.get('temp:key'), { data: 'value' })
  t.equal(await db.redis.get('temp:key'), '{"data":"value"}', 'stored as plain JSON')
  t.equal(await cache.delete('temp:key'), 1)
  t.equal(await cache.delete('temp:key'), 0)
  t.equal(await cache.get('temp:key'), null)
  await db.redis.set('temp:garbage', 'not json', 'EX', 60)
  t.equal(await cache.get('temp:garbage'), null, 'an entry that is not JSON reads as a miss')
  t.equal(await cache.getOrSet('temp:garbage', async () => 'fresh'), 'fresh')
})

t.test('permission checks in the contract’s shape', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  t.equal(await cache.getPermissionCheck(123, 456789, 'progress'), null)
  t.equal(await cache.setPermissionCheck(123, 456789, 'progress', true), true)
  t.same(await cache.getPermissionCheck(123, 456789, 'progress'), { has_access: true })
  t.equal(await db.redis.get('permission:123:456789:progress'), '{"has_access":true}')
  const ttl = await db.redis.ttl('permission:123:456789:progress')
  t.ok(ttl > 295 && ttl <= TTL.permission)
  await cache.setPermissionCheck(123, 456789, 'roster', false, 30)
  t.same(await cache.getPermissionCheck(123, 456789, 'roster'), { has_access: false })
  t.ok((await db.redis.ttl('permission:123:456789:roster')) <= 30)
  await db.redis.set('permission:123:1:roster', '{"other":1}', 'EX', 60)
  t.equal(await cache.getPermissionCheck(123, 1, 'roster'), null, 'an entry without has_access is no answer')
})

t.test('invalidateGuild and invalidateUser remove exactly their entries', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  const sid = 'e'.repeat(64)
  await cache.set(keys.guildMembers(1), [1], TTL.members)
  await cache.set(keys.guildSettings(1), {}, TTL.settings)
  await cache.setPermissionCheck(1, 10, 'roster', true)
  await cache.setPermissionCheck(1, 11, 'roster', true)
  await cache.setPermissionCheck(2, 10, 'roster', true)
  await cache.set(keys.guildMembers(2), [2], TTL.members)
  await cache.set(keys.userProfile(10), { bnet_id: 10 }, TTL.profile)
  await cache.set(keys.userSession(sid), { bnet_id: 10 }, TTL.session, { user: 10 })
  await cache.set(keys.userProfile(11), { bnet_id: 11 }, TTL.profile)
  // Written by hand, not through the cache (so not indexed): the known keys of a guild are removed anyway.
  await db.redis.set('guild:1:settings', '{}', 'EX', 60)

  t.equal(await cache.invalidateGuild(1), 4, 'members, settings and two permission entries')
  t.same(
    await Promise.all(
      ['guild:1:members', 'guild:1:settings', 'permission:1:10:roster', 'permission:1:11:roster'].map((k) =>
        db.redis.exists(k),
      ),
    ),
    [0, 0, 0, 0],
  )
  t.same(
    await Promise.all(['guild:2:members', 'permission:2:10:roster', 'user:profile:10'].map((k) => db.redis.exists(k))),
    [1, 1, 1],
    'guild 2 and users untouched',
  )

  t.equal(await cache.invalidateUser(10), 3, 'profile, session and guild 2 permission entry')
  t.same(
    await Promise.all(
      ['user:profile:10', `user:session:${sid}`, 'permission:2:10:roster'].map((k) => db.redis.exists(k)),
    ),
    [0, 0, 0],
  )
  t.equal(await db.redis.exists('user:profile:11'), 1, 'another user untouched')
  t.equal(await cache.invalidateUser(10), 0, 'nothing left to remove')
})

t.test('stats count hits, misses and the hit rate; close is idempotent', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  await cache.get('temp:none')
  await cache.set('temp:one', 1)
  await cache.get('temp:one')
  await cache.get('temp:one')
  await cache.getOrSet('temp:one', async () => 2)
  t.same(cache.stats(), {
    hits: 3,
    misses: 1,
    errors: 0,
    hitRate: 0.75,
    redis: 'up',
    peers: 0,
    unacked: 0,
    staleServed: 0,
  })
  await cache.close()
  await cache.close()
  t.equal(await cache.get('temp:one'), null, 'a closed cache answers like a disabled one')
})

t.test('getOrSetMany: one read, one loader call with the misses in order, values in the order asked', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  await cache.setPermissionCheck(1, 2, 'roster', true)
  const asked: string[][] = []
  const batch = [
    keys.permission(1, 3, 'roster'),
    keys.permission(1, 2, 'roster'),
    keys.permission(1, 4, 'sync'),
    keys.permission(1, 3, 'roster'),
  ]
  const values = await cache.getOrSetMany(batch, async (missing) => {
    asked.push(missing)
    return missing.map((k) => ({ has_access: k.endsWith('sync') }))
  })
  t.same(asked, [[keys.permission(1, 3, 'roster'), keys.permission(1, 4, 'sync')]], 'misses once each, in order')
  t.same(values, [{ has_access: false }, { has_access: true }, { has_access: true }, { has_access: false }])
  t.equal(await db.redis.get(keys.permission(1, 4, 'sync')), '{"has_access":true}', 'misses are stored')
  const again = await cache.getOrSetMany(batch, async () => {
    throw new Error('no loader call when everything hits')
  })
  t.same(again, values)
  t.same(await cache.getOrSetMany([], async () => []), [])
  await t.rejects(
    cache.getOrSetMany(['temp:a', 'temp:b'], async () => [1]),
    { name: 'CacheInputError', message: /one value per missing key/ },
  )
  await t.rejects(
    cache.getOrSetMany(['temp:c'], async () => {
      throw new Error('db down')
    }),
    { message: 'db down' },
  )
  t.equal(await db.redis.exists('cache:lease:{temp:c}'), 0, 'leases given back')
  const disabled = createCache()
  t.same(await disabled.getOrSetMany(['temp:a', 'temp:a'], async (m) => m.map((k) => k.length)), [6, 6])
})

t.test('a loader that finds nothing (null) is not cached', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  let calls = 0
  t.equal(await cache.getOrSet('guild:404:members', async () => (calls++, null)), null)
  t.equal(await cache.getOrSet('guild:404:members', async () => (calls++, null)), null)
  t.equal(calls, 2)
  t.equal(await db.redis.exists('guild:404:members'), 0)
  t.equal(await db.redis.exists('cache:lease:{guild:404:members}'), 0)
})
