import { startOwnRedis } from '@guild/testing'
import { Redis } from 'ioredis'
import t from 'tap'
import { createCache, keys } from '../../src/index.js'
import { silentLogger } from '../fixtures/harness.js'

/** `INFO commandstats` as {command: calls}: what the cache asked Redis to do, exactly. */
async function commandCalls(redis: Redis): Promise<Record<string, number>> {
  const info = await redis.info('commandstats')
  const out: Record<string, number> = {}
  for (const m of info.matchAll(/^cmdstat_([a-z|]+):calls=(\d+)/gm)) out[m[1] as string] = Number(m[2])
  return out
}

t.test('guarantee 3: invalidation reads the index, never the keyspace', async (t) => {
  // A Redis of its own, so that the command counts are this test's alone.
  const server = await startOwnRedis()
  t.teardown(() => server.stop())
  const admin = new Redis(server.port, '127.0.0.1')
  t.teardown(() => admin.disconnect())
  const logger = silentLogger()
  const cache = createCache({ url: server.url, logger, busChannel: 'cache:test:cost', operationTimeoutMs: 2_000 })
  t.teardown(() => cache.close())
  await cache.ready

  // 200,000 unrelated keys (with TTLs, as this project writes every key).
  for (let batch = 0; batch < 200; batch++) {
    const pipeline = admin.pipeline()
    for (let i = 0; i < 1_000; i++) pipeline.set(`unrelated:${batch}:${i}`, 'x', 'EX', 600)
    await pipeline.exec()
  }
  // A user with 20 entries: profile, a session, 18 permission entries across guilds.
  await cache.set(keys.userProfile(500), { bnet_id: 500 }, 600)
  await cache.set(keys.userSession('c'.repeat(64)), { bnet_id: 500 }, 600, { user: 500 })
  for (let g = 1; g <= 3; g++) {
    for (const tool of ['roster', 'settings', 'sync', 'permissions', 'progress', 'raids']) {
      await cache.setPermissionCheck(g, 500, tool, true)
    }
  }
  // Other users' entries in the same guilds must survive.
  await cache.setPermissionCheck(1, 501, 'roster', true)

  const before = await commandCalls(admin)
  const removed = await cache.invalidateUser(500)
  const after = await commandCalls(admin)
  t.equal(removed, 20, 'all 20 entries removed')
  t.equal((after.scan ?? 0) - (before.scan ?? 0), 0, 'no SCAN of the keyspace')
  t.equal(after.keys ?? 0, 0, 'never KEYS')
  t.equal((after.zscan ?? 0) - (before.zscan ?? 0), 1, 'one ZSCAN page of the user index')
  // The index page goes in one script call (lua.ts unlinkIndexPage: entries and leases unlinked in Redis).
  t.ok(
    (after.evalsha ?? 0) + (after.eval ?? 0) - (before.evalsha ?? 0) - (before.eval ?? 0) <= 4,
    'a few batched script calls',
  )
  t.ok(
    (after.unlink ?? 0) - (before.unlink ?? 0) <= 2 * 20 + 4,
    'one UNLINK per entry and one per lease, inside the scripts',
  )
  t.equal(await admin.exists(keys.permission(1, 501, 'roster')), 1, 'another user’s entry is untouched')
  t.equal(
    await admin.dbsize(),
    200_000 + 1 + 3 /* guild indexes */ + 2 /* user indexes */,
    'only those 20 entries are gone',
  )

  // A guild with 10,000 permission entries.
  // Written 100 at a time: a burst of thousands at once would outlast any small bound, and the cache would (rightly)
  // give up.
  let stored = 0
  for (let from = 1; from <= 10_000; from += 100) {
    const batch = await Promise.all(
      Array.from({ length: 100 }, (_, i) => cache.setPermissionCheck(77, from + i, 'roster', i % 2 === 0)),
    )
    stored += batch.filter(Boolean).length
  }
  t.equal(stored, 10_000, 'all 10,000 stored')
  // A reader mid-load on one of them: its lease must go with the entry, wherever the page falls.
  await admin.set(`cache:lease:{${keys.permission(77, 9_999, 'roster')}}`, 'a-reader', 'PX', 10_000)
  const heard: { removed?: readonly string[] }[] = []
  cache.onInvalidate((event) => void heard.push(event as { removed?: readonly string[] }))
  const pagesBefore = await commandCalls(admin)
  const started = performance.now()
  const guildRemoved = await cache.invalidateGuild(77)
  const ms = performance.now() - started
  t.equal(guildRemoved, 10_000)
  const pagesAfter = await commandCalls(admin)
  // Pages of 500: few round trips, and no script holds Redis long enough to stall a GET alongside.
  const zscans = (pagesAfter.zscan ?? 0) - (pagesBefore.zscan ?? 0)
  t.ok(zscans >= 18 && zscans <= 24, `the index walked in pages of 500 (${zscans} ZSCAN)`)
  t.equal(
    await admin.exists(
      keys.permission(77, 1, 'roster'),
      keys.permission(77, 5_000, 'roster'),
      keys.permission(77, 10_000, 'roster'),
    ),
    0,
    'entries gone',
  )
  t.equal(
    await admin.exists(`cache:lease:{${keys.permission(77, 9_999, 'roster')}}`),
    0,
    'and the lease with its entry',
  )
  const named = heard[0]?.removed ?? []
  t.equal(named.length, 1_000, 'the event names the first 1,000 it removed')
  t.ok(
    named.every((key) => key.startsWith('permission:77:')),
    'all of them guild 77’s',
  )
  t.ok(ms < 1_000, `10,000 entries in ${ms.toFixed(0)} ms`)
  const final = await commandCalls(admin)
  t.equal((final.scan ?? 0) - (before.scan ?? 0), 0, 'still no SCAN')
})
