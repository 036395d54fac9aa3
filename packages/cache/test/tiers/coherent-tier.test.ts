import t from 'tap'
import { CoherentTier, createCache, keys } from '../../src/index.js'
import { cacheOn, claimDb, eventually } from '../fixtures/harness.js'

t.test('CoherentTier drops what an invalidation names by itself, then tells its listeners what went', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  t.ok(await eventually(() => cache.propagating()), 'hears the bus')
  const tier = new CoherentTier<boolean>(cache, { ttlMs: 60_000, max: 100 })
  t.teardown(() => tier.close())
  t.ok(tier.trusted)
  const a = keys.permission(1, 10, 'sync')
  const b = keys.permission(2, 10, 'sync')
  t.equal(tier.set(a, true, tier.stamp()), true, 'stored')
  t.equal(tier.set(b, false, tier.stamp()), true)
  t.equal(tier.get(a), true)
  t.equal(tier.size, 2)

  const heard: string[][] = []
  const stop = tier.onDrop((dropped) => heard.push([...dropped]))
  await cache.invalidateGuild(1)
  t.equal(tier.get(a), undefined, 'dropped')
  t.equal(tier.get(b), false, 'another guild’s entry stays')
  t.same(heard, [[a]], 'the listener heard what was dropped, after it was')
  stop()
  await cache.invalidateGuild(2)
  t.equal(tier.size, 0, 'dropped with no listener at all')
  t.equal(heard.length, 1, 'an unsubscribed listener hears nothing')
})

t.test('CoherentTier refuses a value computed across an invalidation', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  t.ok(await eventually(() => cache.propagating()))
  const tier = new CoherentTier<boolean>(cache, { ttlMs: 60_000, max: 100 })
  t.teardown(() => tier.close())
  const key = keys.permission(1, 10, 'sync')
  const since = tier.stamp()
  await cache.invalidateUser(10)
  t.equal(tier.set(key, true, since), false, 'refused')
  t.equal(tier.get(key), undefined)
})

t.test(
  'CoherentTier neither answers nor stores while invalidations cannot reach it; close stops listening',
  async (t) => {
    const none = createCache()
    t.teardown(() => none.close())
    const tier = new CoherentTier<boolean>(none, { ttlMs: 60_000, max: 100 })
    const key = keys.permission(1, 10, 'sync')
    t.equal(tier.trusted, false, 'no Redis: no bus')
    t.equal(tier.set(key, true, tier.stamp()), false, 'not stored')
    t.equal(tier.get(key), undefined)

    const db = await claimDb(t)
    const cache = await cacheOn(t, db)
    t.ok(await eventually(() => cache.propagating()))
    const closed = new CoherentTier<boolean>(cache, { ttlMs: 60_000, max: 100 })
    t.equal(closed.set(key, true, closed.stamp()), true)
    const stamp = closed.stamp()
    closed.close()
    t.equal(closed.size, 0, 'emptied')
    await cache.invalidateGuild(1)
    t.equal(closed.stamp(), stamp, 'no longer hears invalidations')
  },
)
