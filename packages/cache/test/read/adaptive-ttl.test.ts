import t from 'tap'
import { CacheInputError, internalKeys, keys } from '../../src/index.js'
import { cacheOn, claimDb } from '../fixtures/harness.js'

/*
 * Issue 16 part 4: a loader sets its entry's TTL from what it loaded (`ctx.setTtl`, bentocache's
 * `ctx.setOptions({ ttl })`), checked as any TTL.
 */

t.test('ctx.setTtl stores the entry (and its stale copy) with the TTL the loader chose', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  const key = keys.userProfile(501)
  let seen = 0
  const value = await cache.getOrSet(
    key,
    async (ctx) => {
      seen = ctx.ttl
      ctx.setTtl(42)
      return { expires_in: 42 }
    },
    600,
    { grace: 10 },
  )
  t.same(value, { expires_in: 42 })
  t.equal(seen, 600, 'the loader sees the TTL it was given')
  const ttl = await db.redis.ttl(key)
  t.ok(ttl > 30 && ttl <= 42, `entry TTL from the loader (${ttl} s)`)
  const staleTtl = await db.redis.ttl(internalKeys.stale(key))
  t.ok(staleTtl > 42 && staleTtl <= 52, `stale copy: that TTL + grace (${staleTtl} s)`)
})

t.test(
  'a TTL raised by the loader raises the index life too: an invalidation finds the entry all its life',
  async (t) => {
    const db = await claimDb(t)
    const cache = await cacheOn(t, db)
    const key = keys.guildSettings(502)
    await cache.getOrSet(
      key,
      async (ctx) => {
        ctx.setTtl(3_600)
        return { v: 1 }
      },
      5,
    )
    const score = Number(await db.redis.zscore(internalKeys.guildIndex(502), key))
    const [seconds] = (await db.redis.time()) as [string | number, string | number]
    t.ok(score - Number(seconds) * 1_000 > 3_500_000, 'index member outlives the entry')
    t.equal(await cache.invalidateGuild(502), 1)
    t.equal(await db.redis.exists(key), 0)
  },
)

t.test('a bad TTL from the loader rejects the call and stores nothing', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  const key = keys.userProfile(503)
  for (const bad of [0, 1.5, 86_401, Number.NaN]) {
    await t.rejects(
      cache.getOrSet(key, async (ctx) => {
        ctx.setTtl(bad)
        return 1
      }),
      CacheInputError,
      String(bad),
    )
  }
  t.equal(await db.redis.exists(key), 0)
  t.equal(await db.redis.exists(internalKeys.lease(key)), 0, 'the lease was given back')
})
