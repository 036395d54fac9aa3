import t from 'tap'
import { allowed, batch, migratedDatabase, redisDb, seedGuild, startService } from '../helpers/harness.js'

t.test('each layer answers in turn: database, then Redis, then memory', async (t) => {
  const { pg, db } = await migratedDatabase(t)
  const redis = await redisDb(t)
  await seedGuild(db, 1, [{ characterId: 1, bnetId: 10, rank: 1 }], { roster: 9 })
  const env = { DATABASE_URL: pg.url, REDIS_URL: redis.url, CACHE_BUS_CHANNEL: redis.channel }
  const a = await startService(t, env)
  const b = await startService(t, env)

  t.equal(await allowed(a, 1, 10, 'roster'), true)
  t.same(a.checker.counters.answered, { l1: 0, redis: 0, db: 1 }, 'a cold check reaches the database')
  t.equal(
    await redis.redis.get('permission:1:10:roster'),
    '{"has_access":true}',
    'and leaves the contract’s Redis entry',
  )
  const ttl = await redis.redis.ttl('permission:1:10:roster')
  t.ok(ttl > 295 && ttl <= 300, `with a 300 s TTL (${ttl})`)

  t.equal(await allowed(b, 1, 10, 'roster'), true)
  t.same(b.checker.counters.answered, { l1: 0, redis: 1, db: 0 }, 'another instance finds it in Redis')

  t.equal(await allowed(a, 1, 10, 'roster'), true)
  t.equal(await allowed(b, 1, 10, 'roster'), true)
  t.same(a.checker.counters.answered, { l1: 1, redis: 0, db: 1 }, 'then each answers from memory')
  t.same(b.checker.counters.answered, { l1: 1, redis: 1, db: 0 })
  t.equal(a.checker.counters.dbQueries, 1)

  const res = await batch(a, [
    { guild_id: 1, bnet_id: 10, tool: 'roster' }, // memory
    { guild_id: 1, bnet_id: 10, tool: 'sync' }, // database
    { guild_id: 1, bnet_id: 11, tool: 'roster' }, // database
  ])
  t.same(res.json(), { results: [{ has_access: true }, { has_access: false }, { has_access: false }] })
  t.same(a.checker.counters.answered, { l1: 2, redis: 0, db: 3 })
  t.equal(a.checker.counters.dbQueries, 2, 'a batch sends its misses in one query')
  const text = (await a.inject('/metrics')).body
  t.match(text, /permission_checks_answered_total\{layer="l1"\} 2/)
  t.match(text, /permission_db_queries_total 2/)
  t.match(text, /cache_requests_total\{namespace="permission",result="miss"\} 3/)
})

t.test('with the in-process tier off and no Redis, every check is one query', async (t) => {
  const { pg, db } = await migratedDatabase(t)
  await seedGuild(db, 1, [{ characterId: 1, bnetId: 10, rank: 1 }], { roster: 9 })
  const app = await startService(t, { DATABASE_URL: pg.url, PERMISSION_L1_TTL_MS: '0' })
  for (let i = 0; i < 3; i++) t.equal(await allowed(app, 1, 10, 'roster'), true)
  t.same(app.checker.counters.answered, { l1: 0, redis: 0, db: 3 })
  t.equal(app.cache.state(), 'disabled')
})

t.test('the in-process tier forgets after its TTL', async (t) => {
  const { pg, db } = await migratedDatabase(t)
  const redis = await redisDb(t)
  await seedGuild(db, 1, [{ characterId: 1, bnetId: 10, rank: 1 }], { roster: 9 })
  const app = await startService(t, {
    DATABASE_URL: pg.url,
    REDIS_URL: redis.url,
    CACHE_BUS_CHANNEL: redis.channel,
    PERMISSION_L1_TTL_MS: '100',
  })
  t.equal(await allowed(app, 1, 10, 'roster'), true)
  t.equal(await allowed(app, 1, 10, 'roster'), true)
  t.same(app.checker.counters.answered, { l1: 1, redis: 0, db: 1 })
  await new Promise((r) => setTimeout(r, 150))
  t.equal(await allowed(app, 1, 10, 'roster'), true)
  t.same(app.checker.counters.answered, { l1: 1, redis: 1, db: 1 }, 'past its TTL the answer comes from Redis')
})
