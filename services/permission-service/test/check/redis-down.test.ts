import { startOwnRedis } from '@guild/testing'
import t from 'tap'
import { allowed, check, migratedDatabase, seedGuild, startService } from '../helpers/harness.js'

t.test('Redis down → answers come from memory and the database, with no errors to the caller', async (t) => {
  const { pg, db } = await migratedDatabase(t)
  await seedGuild(db, 1, [{ characterId: 1, bnetId: 10, rank: 1 }], { roster: 9 })
  const redis = await startOwnRedis()
  t.teardown(() => redis.stop())
  const app = await startService(t, {
    DATABASE_URL: pg.url,
    REDIS_URL: redis.url,
    CACHE_BUS_CHANNEL: 'cache:test:ps-redis-down',
    PERMISSION_L1_TTL_MS: '0',
  })
  t.equal(await allowed(app, 1, 10, 'roster'), true)
  t.same((await app.inject('/health/ready')).json(), { database: 'up', redis: 'up' })
  await redis.kill()
  for (let i = 0; i < 20; i++) {
    const res = await check(app, 1, 10, i % 2 ? 'roster' : 'sync')
    t.equal(res.statusCode, 200, `check ${i} answered`)
  }
  t.same((await app.inject('/health/ready')).json(), { database: 'up', redis: 'down' }, 'ready, reporting Redis down')
  t.equal((await app.inject('/health/ready')).statusCode, 200)
  await redis.restart()
})

t.test('a service boots and serves with Redis unreachable from the start', async (t) => {
  const { pg, db } = await migratedDatabase(t)
  await seedGuild(db, 1, [{ characterId: 1, bnetId: 10, rank: 1 }], { roster: 9 })
  const started = performance.now()
  const app = await startService(t, { DATABASE_URL: pg.url, REDIS_URL: 'redis://127.0.0.1:1/0' })
  t.ok(performance.now() - started < 3_000, 'booted without waiting for Redis')
  t.equal(await allowed(app, 1, 10, 'roster'), true)
})
