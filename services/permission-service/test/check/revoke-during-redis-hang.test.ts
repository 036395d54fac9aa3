import { createCache } from '@guild/cache'
import { startOwnRedis } from '@guild/testing'
import { Redis } from 'ioredis'
import t from 'tap'
import { allowed, migratedDatabase, seedGuild, setToolRank, startService } from '../helpers/harness.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} }

/**
 * Found by the chaos suite (Redis hanging): guild-api's invalidation cannot reach a hanging Redis, so it
 * is kept and retried; its bus message is retried on a backoff of its own. When the message got through
 * before the removal did, this service dropped its memory, re-read the old entry still in Redis, and kept
 * that stale allow in memory long after the removal. Now the delayed removal is announced again.
 */
t.test('a revoke made while Redis hangs holds once the delayed invalidation has reached Redis', async (t) => {
  const { pg, db } = await migratedDatabase(t)
  await seedGuild(db, 1, [{ characterId: 1, bnetId: 10, rank: 2 }], { sync: 2 })
  const redis = await startOwnRedis()
  t.teardown(() => redis.stop())
  const channel = 'cache:test:ps-hang-revoke'
  // A long memory TTL: a stale copy would outlive the test instead of expiring by chance.
  const app = await startService(t, {
    DATABASE_URL: pg.url,
    REDIS_URL: redis.url,
    CACHE_BUS_CHANNEL: channel,
    PERMISSION_L1_TTL_MS: '60000',
  })
  // guild-api's side, as it runs: its delayed removal goes out as soon as it sees Redis back, inside the
  // recovery grace during which this service reads through to the database.
  const guildApi = createCache({
    url: redis.url,
    busChannel: channel,
    logger: silent,
    invalidationOutwaitsSilence: true,
  })
  t.teardown(() => guildApi.close())
  await guildApi.ready
  await sleep(100)
  t.equal(await allowed(app, 1, 10, 'sync'), true, 'allowed, remembered in memory and Redis')

  const admin = new Redis(redis.port, '127.0.0.1')
  t.teardown(() => admin.disconnect())
  await admin.call('CLIENT', 'PAUSE', '300', 'ALL')
  await setToolRank(db, 1, 'sync', 1)
  await guildApi.invalidateGuild(1)

  const deadline = performance.now() + 8_000
  let answer = true
  while (answer && performance.now() < deadline) {
    await sleep(100)
    answer = await allowed(app, 1, 10, 'sync')
  }
  t.equal(answer, false, 'the revoke shows at once: memory was dropped, and Redis is not read in its recovery grace')
  let gone = false
  for (let i = 0; i < 50 && !gone; i++) {
    gone = (await admin.get('permission:1:10:sync')) !== '{"has_access":true}'
    if (!gone) await sleep(20)
  }
  t.ok(gone, 'and the old answer is gone from Redis once the delayed removal landed')
  for (let i = 0; i < 15; i++) {
    t.equal(await allowed(app, 1, 10, 'sync'), false, `check ${i} after: still revoked`)
    await sleep(100)
  }
})
