import t from 'tap'
import { createCache, keys, MemoryTier } from '../../src/index.js'
import { cacheOn, claimDb, deferred, eventually, silentLogger } from '../fixtures/harness.js'

t.test('MemoryTier: TTL, bound, and invalidation by guild, user, key and pattern', async (t) => {
  let now = 0
  const tier = new MemoryTier<string>(1_000, 4, () => now)
  tier.set('permission:1:10:roster', 'a')
  tier.set('permission:1:11:roster', 'b')
  tier.set('permission:2:10:roster', 'c')
  tier.set('guild:1:members', 'd')
  t.equal(tier.get('permission:1:10:roster'), 'a')
  tier.set('user:profile:12', 'e')
  t.equal(tier.size, 4, 'bounded')
  t.equal(tier.get('permission:1:10:roster'), undefined, 'the oldest went first')
  t.same(tier.drop({ scope: 'user', id: 10 }), ['permission:2:10:roster'])
  t.same(tier.drop({ scope: 'guild', id: 1 }).sort(), ['guild:1:members', 'permission:1:11:roster'])
  t.same(tier.drop({ scope: 'guild', id: 99 }), [])
  t.same(tier.drop({ scope: 'key', key: 'user:profile:12' }), ['user:profile:12'])
  t.same(tier.drop({ scope: 'key', key: 'user:profile:12' }), [])
  tier.set('permission:4:14:a', 'f')
  t.same(tier.drop({ scope: 'pattern', pattern: 'permission:4:*' }), ['permission:4:14:a'])
  tier.set('permission:3:12:sync', 'g')
  now = 1_000
  t.equal(tier.get('permission:3:12:sync'), undefined, 'expired after its TTL')
  tier.set('permission:5:15:a', 'h')
  tier.set('permission:5:15:a', 'i')
  t.equal(tier.size, 1, 'a rewrite replaces')
  t.equal(tier.get('permission:5:15:a'), 'i')
  t.same(tier.drop({ scope: 'all' }), ['permission:5:15:a'])
  t.equal(tier.size, 0)
})

t.test(
  'MemoryTier: a session entry goes with its owner, or with any user event when its owner is unknown',
  async (t) => {
    const tier = new MemoryTier<string>(60_000, 100)
    const owned = keys.userSession('a'.repeat(64))
    const unowned = keys.userSession('b'.repeat(64))
    tier.set(owned, 'x', 7)
    tier.set(unowned, 'y')
    t.same(tier.drop({ scope: 'user', id: 8 }), [unowned], 'another user: only the session whose owner is unknown')
    t.same(tier.drop({ scope: 'user', id: 7 }), [owned])
  },
)

t.test('getOrSet with memory: the second read never reaches Redis', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db, { memory: { ttlMs: 60_000 } })
  t.ok(await eventually(() => cache.propagating()), 'hears the bus')
  let loads = 0
  const load = async () => ({ n: ++loads })
  t.same(await cache.getOrSet(keys.guildMembers(1), load), { n: 1 })
  await db.redis.del(keys.guildMembers(1)) // behind the cache's back: only memory still has it
  t.same(await cache.getOrSet(keys.guildMembers(1), load), { n: 1 }, 'from memory')
  t.equal(loads, 1)
  t.equal(cache.stats().hits, 1, 'a memory answer counts as a hit')
})

t.test('an invalidation anywhere drops memory everywhere before it returns', async (t) => {
  const db = await claimDb(t)
  const a = await cacheOn(t, db, { memory: { ttlMs: 60_000 } })
  const b = await cacheOn(t, db, { memory: { ttlMs: 60_000 } })
  t.ok(await eventually(() => a.propagating() && b.propagating()))
  let version = 1
  const load = async () => ({ version })
  t.same(await a.getOrSet(keys.permission(3, 30, 'roster'), load), { version: 1 })
  t.same(await a.getOrSet(keys.userSession('c'.repeat(64)), load, 600, { user: 30 }), { version: 1 })
  version = 2
  await b.invalidateGuild(3)
  t.same(await a.getOrSet(keys.permission(3, 30, 'roster'), load), { version: 2 }, 'guild event: reloaded at once')
  t.same(
    await a.getOrSet(keys.userSession('c'.repeat(64)), load, 600, { user: 30 }),
    { version: 1 },
    'not that user’s event yet',
  )
  await b.invalidateUser(30)
  t.same(
    await a.getOrSet(keys.userSession('c'.repeat(64)), load, 600, { user: 30 }),
    { version: 2 },
    'user event: reloaded at once',
  )
  version = 3
  await b.delete(keys.userSession('c'.repeat(64)))
  t.same(
    await a.getOrSet(keys.userSession('c'.repeat(64)), load, 600, { user: 30 }),
    { version: 3 },
    'key event (a logout): reloaded at once',
  )
})

t.test('a value loaded across an invalidation is not remembered', async (t) => {
  const db = await claimDb(t)
  const a = await cacheOn(t, db, { memory: { ttlMs: 60_000 } })
  const b = await cacheOn(t, db)
  t.ok(await eventually(() => a.propagating()))
  const readDone = deferred<void>()
  const release = deferred<void>()
  const stale = a.getOrSet(keys.guildSettings(4), async () => {
    readDone.resolve()
    await release.promise
    return { stale: true }
  })
  await readDone.promise
  await b.invalidateGuild(4)
  release.resolve()
  await stale
  t.same(await a.getOrSet(keys.guildSettings(4), async () => ({ stale: false })), { stale: false })
})

t.test('memory is not used while Redis is down (no bus to keep it honest), nor without Redis', async (t) => {
  const down = createCache({
    url: 'redis://127.0.0.1:1/0',
    memory: { ttlMs: 60_000 },
    logger: silentLogger(),
    busChannel: 'cache:test:memory-down',
  })
  t.teardown(() => down.close())
  await down.ready
  t.equal(down.propagating(), false)
  let loads = 0
  await down.getOrSet('temp:x', async () => ++loads)
  await down.getOrSet('temp:x', async () => ++loads)
  t.equal(loads, 2)
  const none = createCache({ memory: { ttlMs: 60_000 } })
  t.equal(none.propagating(), false)
  await none.getOrSet('temp:x', async () => ++loads)
  await none.getOrSet('temp:x', async () => ++loads)
  t.equal(loads, 4)
  t.throws(() => createCache({ memory: { ttlMs: -1 } }), { message: /memory.ttlMs/ })
})

t.test('get reads through memory too, and what it finds in Redis is remembered', async (t) => {
  const db = await claimDb(t)
  const a = await cacheOn(t, db, { memory: { ttlMs: 60_000 } })
  const b = await cacheOn(t, db)
  t.ok(await eventually(() => a.propagating()))
  const session = keys.userSession('d'.repeat(64))
  await b.set(session, { bnet_id: 40 }, 600, { user: 40 })
  t.same(await a.get(session), { bnet_id: 40 }, 'from Redis')
  await db.redis.del(session) // behind the caches' backs
  t.same(await a.get(session), { bnet_id: 40 }, 'then from memory')
  await b.set(session, { bnet_id: 40, v: 2 }, 600, { user: 40 })
  await b.delete(session) // a logout elsewhere
  t.equal(await a.get(session), null, 'dropped by the key event before delete returned')
  await b.set(session, { bnet_id: 41 }, 600, { user: 41 })
  t.same(await a.get(session), { bnet_id: 41 })
  await db.redis.del(session) // only memory has it now
  t.same(await a.get(session), { bnet_id: 41 })
  await b.invalidateUser(999)
  t.equal(await a.get(session), null, 'a session remembered without its owner goes with any user event, to be safe')
})

t.test(
  'peek answers from memory alone, without waiting: what a read remembered, until an invalidation drops it',
  async (t) => {
    const db = await claimDb(t)
    const a = await cacheOn(t, db, { memory: { ttlMs: 60_000 } })
    const b = await cacheOn(t, db)
    t.ok(await eventually(() => a.propagating()))
    const members = keys.guildMembers(5)
    await b.set(members, [{ character_id: 1 }], 300)
    t.equal(a.peek(members), undefined, 'in Redis but not in memory: peek never goes to Redis')
    t.same(await a.getOrSet(members, async () => []), [{ character_id: 1 }])
    const hits = a.stats().hits
    t.same(a.peek(members), [{ character_id: 1 }], 'remembered by the read')
    t.equal(a.stats().hits, hits + 1, 'a value given counts as a hit')
    const memoryHits = async () =>
      Number(/cache_requests_total\{namespace="guild",result="hit"\} (\d+)/.exec(await a.metrics.metrics())?.[1] ?? 0)
    const before = await memoryHits()
    t.same(await a.getOrSet(members, async () => []), [{ character_id: 1 }])
    a.peek(members)
    t.equal(await memoryHits(), before + 2, 'memory hits, by peek and by getOrSet, count under the key’s namespace')
    t.equal(a.peek('not a key {at all}'), undefined, 'a key no builder makes is simply not there')
    await b.invalidateGuild(5)
    t.equal(a.peek(members), undefined, 'dropped by the invalidation before it returned')
    const none = createCache({ memory: { ttlMs: 60_000 } })
    t.equal(none.peek(members), undefined, 'no memory without Redis')
  },
)
