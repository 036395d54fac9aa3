import { startOwnRedis } from '@guild/testing'
import t, { type Test } from 'tap'
import { registerHordeVanguard, startHarness, type Harness } from '../helpers/harness.js'

/** Login, registration, reads, every write and logout, each checked for its effect. */
async function everythingWorks(t: Test, h: Harness, gm: string): Promise<void> {
  const officer = await h.login('Saurfang#2345')
  t.equal((await h.as(officer).get('/me')).json<{ bnet_id: number }>().bnet_id, 100002)
  t.equal((await h.as(gm).get('/guilds/9001/members')).json<unknown[]>().length, 8)
  t.equal((await h.as(gm).put('/guilds/9001/settings', { motd: 'no redis' })).statusCode, 200)
  t.same(
    (await h.as(officer).get('/guilds/9001/settings')).json(),
    { motd: 'no redis' },
    'a write is seen by the next read',
  )
  await h.standin.edit((f) => {
    const entry = f.guilds[0]?.roster.find((m) => m.character_id === 5101)
    if (entry) entry.rank = entry.rank === 1 ? 5 : 1
  })
  t.same((await h.as(gm).post('/guilds/9001/sync')).json(), { added: 0, removed: 0, rank_changed: 1 })
  t.equal(
    (await h.as(officer).put('/guilds/9001/settings', { motd: 'x' })).statusCode,
    403,
    'the rank change holds at once',
  )
  t.equal(
    (await h.as(gm).put('/guilds/9001/permissions', { tools: { roster: 9, settings: 5, sync: 1 } })).statusCode,
    200,
  )
  t.equal(
    (await h.as(officer).put('/guilds/9001/settings', { motd: 'y' })).statusCode,
    200,
    'so does a permission change',
  )
  t.equal((await h.as(officer).post('/auth/logout')).statusCode, 204)
  t.equal((await h.as(officer).get('/me')).statusCode, 401, 'logout holds at once')
}

/*
 * Without Redis there is no invalidation bus, so permission-service's in-process answers (L1) could
 * only expire by their TTL (3 s by default: "with Redis down the TTL bounds staleness"). These tests
 * are about guild-api, so they turn L1 off to see each change on the very next check.
 */
const NO_L1 = { PERMISSION_L1_TTL_MS: '0' }

t.test('without Redis configured everything works', async (t) => {
  const h = await startHarness(t, { redis: 'none', permissionEnv: NO_L1 })
  t.same((await h.inject({ url: '/health/ready' })).json(), { database: 'up', redis: 'disabled' })
  const gm = await registerHordeVanguard(h)
  await everythingWorks(t, h, gm)
})

t.test('Redis dying mid-run costs nothing but speed', async (t) => {
  const redis = await startOwnRedis()
  let killed = false
  // The test kills the server itself; only a live one needs stopping.
  t.teardown(async () => {
    if (!killed) await redis.stop()
  })
  const h = await startHarness(t, { redis: { url: redis.url }, permissionEnv: NO_L1 })
  const gm = await registerHordeVanguard(h)
  // Warm the caches, then take Redis away.
  await h.as(gm).get('/guilds/9001/members')
  await h.as(gm).get('/guilds/9001/settings')
  await h.as(gm).get('/me')
  await redis.kill()
  killed = true
  const started = Date.now()
  await everythingWorks(t, h, gm)
  t.ok(Date.now() - started < 10_000, `no call waited on Redis for long (${Date.now() - started} ms)`)
  t.same((await h.inject({ url: '/health/ready' })).json(), { database: 'up', redis: 'down' })
  t.equal((await h.inject({ url: '/health/ready' })).statusCode, 200, 'ready without Redis')
})
