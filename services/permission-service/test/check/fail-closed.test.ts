import { startTcpProxy } from '@guild/testing'
import t from 'tap'
import { allowed, check, migratedDatabase, redisDb, seedGuild, startService } from '../helpers/harness.js'

t.test(
  'database unreachable and nothing cached → 503, never an allow; cached answers keep serving; recovers by itself',
  async (t) => {
    const { pg, db } = await migratedDatabase(t)
    const redis = await redisDb(t)
    await seedGuild(db, 1, [{ characterId: 1, bnetId: 10, rank: 0 }], { roster: 9 })
    const proxy = await startTcpProxy(5432)
    t.teardown(() => proxy.close())
    const url = new URL(pg.url)
    url.port = String(proxy.port)
    const app = await startService(t, {
      DATABASE_URL: url.toString(),
      REDIS_URL: redis.url,
      CACHE_BUS_CHANNEL: redis.channel,
      PERMISSION_L1_TTL_MS: '100',
      PERMISSION_DB_TIMEOUT_MS: '300',
    })
    t.equal(await allowed(app, 1, 10, 'roster'), true, 'cached while the database is up')

    await proxy.cut()
    const cold = await check(app, 1, 10, 'sync')
    t.equal(cold.statusCode, 503, 'an uncached question is undecided')
    t.same(Object.keys(cold.json()).sort(), ['error', 'message', 'statusCode'])
    t.notMatch(cold.body, /has_access/)
    await new Promise((r) => setTimeout(r, 150)) // past the memory TTL: the answer now comes from Redis
    t.equal(await allowed(app, 1, 10, 'roster'), true, 'a cached answer is served while the database is down')
    const batchRes = await app.inject({
      method: 'POST',
      url: '/v1/check/batch',
      headers: { authorization: 'Bearer test-service-token-0123456789' },
      payload: {
        checks: [
          { guild_id: 1, bnet_id: 10, tool: 'roster' },
          { guild_id: 1, bnet_id: 10, tool: 'settings' },
        ],
      },
    })
    t.equal(batchRes.statusCode, 503, 'a batch with any undecidable item is undecided as a whole')
    t.equal((await app.inject('/health/ready')).statusCode, 503, 'not ready')

    await proxy.restore()
    let recovered = false
    for (let i = 0; i < 50 && !recovered; i++) {
      recovered = (await check(app, 1, 10, 'sync')).statusCode === 200
      if (!recovered) await new Promise((r) => setTimeout(r, 100))
    }
    t.ok(recovered, 'answers again once the database is back, without a restart')
    t.equal(await allowed(app, 1, 10, 'sync'), true)
  },
)

t.test('a database that hangs → 503 within the query timeout', async (t) => {
  const { pg, db } = await migratedDatabase(t)
  await seedGuild(db, 1, [{ characterId: 1, bnetId: 10, rank: 0 }], { roster: 9 })
  const proxy = await startTcpProxy(5432)
  t.teardown(() => proxy.close())
  const url = new URL(pg.url)
  url.port = String(proxy.port)
  const app = await startService(t, {
    DATABASE_URL: url.toString(),
    PERMISSION_DB_TIMEOUT_MS: '200',
    PERMISSION_L1_TTL_MS: '0',
  })
  t.equal(await allowed(app, 1, 10, 'roster'), true)
  proxy.hang()
  const started = performance.now()
  const res = await check(app, 1, 10, 'roster')
  const ms = performance.now() - started
  t.equal(res.statusCode, 503)
  t.ok(ms < 500, `answered in ${ms.toFixed(0)} ms`)
  t.equal(res.headers['retry-after'], '1')
  await proxy.restore()
})

t.test('a service started before the schema exists answers 503 until guild-api has migrated', async (t) => {
  const { createTestDatabase } = await import('@guild/testing')
  const { createDb, migrate } = await import('@guild/db')
  const pg = await createTestDatabase('perm_empty')
  t.teardown(() => pg.drop())
  const app = await startService(t, { DATABASE_URL: pg.url })
  t.equal((await check(app, 1, 10, 'roster')).statusCode, 503)
  t.equal((await app.inject('/health/ready')).statusCode, 503)
  const db = createDb({ url: pg.url, max: 1 })
  await migrate(db)
  await db.close()
  await app.schemaReady
  t.equal((await check(app, 1, 10, 'roster')).statusCode, 200)
  t.equal(await allowed(app, 1, 10, 'roster'), false)
})
