import { createCache } from '@guild/cache'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import type { Test } from 'tap'
import { Pool } from 'undici'
import { AUTH, migratedDatabase, redisDb, seedGuild, setRank, setToolRank, startService } from '../helpers/harness.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const CHECKERS = 40
const CYCLES = 8
const HOLD_MS = 40

interface Check {
  start: number
  end: number
  allowed: boolean | undefined
}

interface Span {
  /** When the revoke returned (after every instance acked). */
  from: number
  /** When the restore was started. */
  to: number
}

/**
 * The chaos suite's revocation race in small (docs/reliability.md, "The revocation race"): checkers of one user and
 * tool spread
 * over two instances, while the tool is revoked and restored in a loop. A check that started after the
 * revoke returned and answered before the restore began must say no.
 */
async function race(
  t: Test,
  apps: FastifyInstance[],
  revoke: () => Promise<void>,
  restore: () => Promise<void>,
): Promise<{ stale: number; mustDeny: number; allows: number }> {
  const pools = apps.map((app) => {
    const address = app.server.address()
    const pool = new Pool(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, {
      connections: CHECKERS / apps.length,
    })
    t.teardown(() => pool.close())
    return pool
  })
  const checks: Check[] = []
  let running = true
  const loops = Array.from({ length: CHECKERS }, async (_, i) => {
    const pool = pools[i % pools.length] as Pool
    while (running) {
      const start = performance.now()
      const res = await pool.request({
        path: '/v1/check?guild_id=1&bnet_id=10&tool=sync',
        method: 'GET',
        headers: AUTH,
      })
      const body = (await res.body.json()) as { has_access?: boolean }
      checks.push({ start, end: performance.now(), allowed: res.statusCode === 200 ? body.has_access : undefined })
    }
  })
  const spans: Span[] = []
  await sleep(100)
  for (let i = 0; i < CYCLES; i++) {
    await revoke()
    const from = performance.now()
    await sleep(HOLD_MS)
    const to = performance.now()
    await restore()
    spans.push({ from, to })
    await sleep(HOLD_MS)
  }
  running = false
  await Promise.all(loops)
  const inside = checks.filter((c) => spans.some((s) => c.start >= s.from && c.end <= s.to))
  return {
    stale: inside.filter((c) => c.allowed !== false).length,
    mustDeny: inside.length,
    allows: checks.filter((c) => c.allowed === true).length,
  }
}

t.test('no check that starts after a revoke has returned is allowed, on either instance', async (t) => {
  const { pg, db } = await migratedDatabase(t)
  const redis = await redisDb(t)
  await seedGuild(db, 1, [{ characterId: 1, bnetId: 10, rank: 2 }], { sync: 2 })
  const env = { DATABASE_URL: pg.url, REDIS_URL: redis.url, CACHE_BUS_CHANNEL: redis.channel }
  const apps = [await startService(t, env), await startService(t, env)]
  for (const app of apps) await app.listen({ host: '127.0.0.1', port: 0 })
  // guild-api's side of the bus: commit, then invalidate, then answer.
  const guildApi = createCache({ url: redis.url, busChannel: redis.channel })
  t.teardown(() => guildApi.close())
  await guildApi.ready
  await sleep(100)

  const byPermissions = await race(
    t,
    apps,
    async () => {
      await setToolRank(db, 1, 'sync', 1)
      await guildApi.invalidateGuild(1)
    },
    async () => {
      await setToolRank(db, 1, 'sync', 2)
      await guildApi.invalidateGuild(1)
    },
  )
  t.ok(
    byPermissions.mustDeny > 0 && byPermissions.allows > 0,
    `the race ran: ${byPermissions.mustDeny} checks inside revoked spans, ${byPermissions.allows} allows overall`,
  )
  t.equal(byPermissions.stale, 0, 'tool permissions: no stale allow after the revoke returned')

  // As a sync that demotes the user: the roster row changes, then the guild and the user are invalidated.
  const bySync = await race(
    t,
    apps,
    async () => {
      await setRank(db, 1, 1, 5)
      await Promise.all([guildApi.invalidateGuild(1), guildApi.invalidateUser(10)])
    },
    async () => {
      await setRank(db, 1, 1, 2)
      await Promise.all([guildApi.invalidateGuild(1), guildApi.invalidateUser(10)])
    },
  )
  t.ok(
    bySync.mustDeny > 0 && bySync.allows > 0,
    `the race ran: ${bySync.mustDeny} checks inside revoked spans, ${bySync.allows} allows overall`,
  )
  t.equal(bySync.stale, 0, 'rank change by sync: no stale allow after the demotion returned')
})
