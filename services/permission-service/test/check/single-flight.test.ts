import t from 'tap'
import { AUTH, migratedDatabase, redisDb, seedGuild, startService } from '../helpers/harness.js'

t.test('1,000 concurrent checks of one cold key over two instances → one database query', async (t) => {
  const { pg, db } = await migratedDatabase(t)
  const redis = await redisDb(t)
  await seedGuild(db, 1, [{ characterId: 1, bnetId: 10, rank: 1 }], { roster: 9 })
  const env = { DATABASE_URL: pg.url, REDIS_URL: redis.url, CACHE_BUS_CHANNEL: redis.channel }
  const instances = [await startService(t, env), await startService(t, env)]
  const answers = await Promise.all(
    Array.from({ length: 1_000 }, (_, i) =>
      (instances[i % 2] as (typeof instances)[0]).inject({
        url: '/v1/check?guild_id=1&bnet_id=10&tool=roster',
        headers: AUTH,
      }),
    ),
  )
  t.ok(
    answers.every((r) => r.statusCode === 200 && r.json().has_access === true),
    'every caller allowed',
  )
  t.equal(instances[0]!.checker.counters.dbQueries + instances[1]!.checker.counters.dbQueries, 1, 'one query in all')
})

t.test('without Redis, concurrent misses in one instance still share one query', async (t) => {
  const { pg, db } = await migratedDatabase(t)
  await seedGuild(db, 1, [{ characterId: 1, bnetId: 10, rank: 1 }], { roster: 9 })
  const app = await startService(t, { DATABASE_URL: pg.url })
  const answers = await Promise.all(
    Array.from({ length: 200 }, () => app.inject({ url: '/v1/check?guild_id=1&bnet_id=10&tool=sync', headers: AUTH })),
  )
  t.ok(answers.every((r) => r.statusCode === 200 && r.json().has_access === false))
  t.equal(app.checker.counters.dbQueries, 1)
})
