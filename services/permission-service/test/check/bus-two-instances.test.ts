import { createCache } from '@guild/cache'
import t from 'tap'
import {
  allowed,
  migratedDatabase,
  redisDb,
  seedGuild,
  setRank,
  setToolRank,
  startService,
} from '../helpers/harness.js'

t.test('an invalidation reaches the memory of every instance before it returns', async (t) => {
  const { pg, db } = await migratedDatabase(t)
  const redis = await redisDb(t)
  await seedGuild(
    db,
    1,
    [
      { characterId: 1, bnetId: 10, rank: 2 },
      { characterId: 2, bnetId: 11, rank: 3 },
    ],
    { roster: 9, sync: 2 },
  )
  const env = {
    DATABASE_URL: pg.url,
    REDIS_URL: redis.url,
    CACHE_BUS_CHANNEL: redis.channel,
    PERMISSION_L1_TTL_MS: '60000',
  }
  const a = await startService(t, env)
  const b = await startService(t, env)
  // guild-api's side of the bus.
  const guildApi = createCache({ url: redis.url, busChannel: redis.channel })
  t.teardown(() => guildApi.close())
  await guildApi.ready
  await new Promise((r) => setTimeout(r, 100)) // let every subscriber subscribe

  for (const app of [a, b]) {
    t.equal(await allowed(app, 1, 10, 'sync'), true)
    t.equal(await allowed(app, 1, 10, 'sync'), true)
    t.equal(app.checker.counters.answered.l1, 1, 'remembered in memory (60 s TTL)')
  }

  // The guild master revokes sync: commit, then invalidate (as guild-api does).
  await setToolRank(db, 1, 'sync', 1)
  const started = performance.now()
  await guildApi.invalidateGuild(1)
  const ms = performance.now() - started
  t.ok(ms < 100, `invalidateGuild returned in ${ms.toFixed(1)} ms, acks included`)
  // No waiting: the next check anywhere must see the revoke.
  t.equal(await allowed(a, 1, 10, 'sync'), false, 'instance a: revoked at once')
  t.equal(await allowed(b, 1, 10, 'sync'), false, 'instance b: revoked at once')

  // A demotion by sync, then invalidateUser.
  t.equal(await allowed(a, 1, 11, 'roster'), true)
  t.equal(await allowed(b, 1, 11, 'roster'), true)
  await setRank(db, 1, 2, 9)
  await setToolRank(db, 1, 'roster', 8)
  await guildApi.invalidateUser(11)
  t.equal(await allowed(a, 1, 11, 'roster'), false)
  t.equal(await allowed(b, 1, 11, 'roster'), false)
})

t.test('with Redis down there is no bus, so memory is not used: a change shows on the very next check', async (t) => {
  const { pg, db } = await migratedDatabase(t)
  await seedGuild(db, 1, [{ characterId: 1, bnetId: 10, rank: 2 }], { sync: 2 })
  const app = await startService(t, {
    DATABASE_URL: pg.url,
    REDIS_URL: 'redis://127.0.0.1:1/0',
    PERMISSION_L1_TTL_MS: '60000',
  })
  t.equal(await allowed(app, 1, 10, 'sync'), true)
  t.equal(await allowed(app, 1, 10, 'sync'), true)
  await setToolRank(db, 1, 'sync', 1)
  t.equal(await allowed(app, 1, 10, 'sync'), false, 'the revoke shows at once')
  t.same(app.checker.counters.answered, { l1: 0, redis: 0, db: 3 })
})

t.test(
  'refresh-ahead: answers an invalidation dropped from memory are recomputed into memory before anyone asks',
  async (t) => {
    const { pg, db } = await migratedDatabase(t)
    const redis = await redisDb(t)
    await seedGuild(db, 1, [{ characterId: 1, bnetId: 10, rank: 2 }], { sync: 2, roster: 9 })
    const app = await startService(t, {
      DATABASE_URL: pg.url,
      REDIS_URL: redis.url,
      CACHE_BUS_CHANNEL: redis.channel,
      PERMISSION_L1_TTL_MS: '60000',
    })
    const guildApi = createCache({ url: redis.url, busChannel: redis.channel })
    t.teardown(() => guildApi.close())
    await guildApi.ready
    await new Promise((r) => setTimeout(r, 100))
    t.equal(await allowed(app, 1, 10, 'sync'), true)
    t.equal(await allowed(app, 1, 10, 'roster'), true)
    const queries = app.checker.counters.dbQueries
    await setToolRank(db, 1, 'sync', 1)
    await guildApi.invalidateGuild(1)
    let refreshed = false
    for (let i = 0; i < 100 && !refreshed; i++) {
      refreshed = app.checker.counters.dbQueries === queries + 1 && app.checker.l1?.store.size === 2
      if (!refreshed) await new Promise((r) => setTimeout(r, 10))
    }
    t.ok(refreshed, 'one batched query recomputed both answers in the background')
    const before = { ...app.checker.counters.answered }
    t.equal(await allowed(app, 1, 10, 'sync'), false, 'the new answer, from memory')
    t.equal(await allowed(app, 1, 10, 'roster'), true)
    t.same(app.checker.counters.answered, { ...before, l1: before.l1 + 2 }, 'both answered from memory')
    t.equal(
      await redis.redis.get('permission:1:10:sync'),
      null,
      'Redis stays as the invalidation left it (the seed’s rule)',
    )
  },
)

t.test('refresh-ahead also covers what callers asked for lately but memory had already let go', async (t) => {
  const { pg, db } = await migratedDatabase(t)
  const redis = await redisDb(t)
  await seedGuild(db, 1, [{ characterId: 1, bnetId: 10, rank: 2 }], { sync: 2 })
  const app = await startService(t, {
    DATABASE_URL: pg.url,
    REDIS_URL: redis.url,
    CACHE_BUS_CHANNEL: redis.channel,
    PERMISSION_L1_TTL_MS: '100',
  })
  const guildApi = createCache({ url: redis.url, busChannel: redis.channel })
  t.teardown(() => guildApi.close())
  await guildApi.ready
  await new Promise((r) => setTimeout(r, 100))
  t.equal(await allowed(app, 1, 10, 'sync'), true)
  await new Promise((r) => setTimeout(r, 150)) // out of memory; still in Redis, and asked for within the minute
  t.equal(app.checker.l1?.store.get('permission:1:10:sync'), undefined)
  await setToolRank(db, 1, 'sync', 1)
  await guildApi.invalidateGuild(1)
  let refreshed = false
  for (let i = 0; i < 100 && !refreshed; i++) {
    refreshed = app.checker.l1?.store.get('permission:1:10:sync') === false
    if (!refreshed) await new Promise((r) => setTimeout(r, 5))
  }
  t.ok(refreshed, 'named by the invalidation as removed from Redis, and recently asked for: recomputed into memory')
})
