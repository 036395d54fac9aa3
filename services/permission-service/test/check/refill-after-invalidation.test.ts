import { createCache } from '@guild/cache'
import t, { type Test } from 'tap'
import type { TestRedisDb } from '@guild/testing'
import { allowed, batch, migratedDatabase, redisDb, seedGuild, setToolRank, startService } from '../helpers/harness.js'

/*
 * An invalidation removes all of a guild's answers from Redis; the guild's next check fills back the
 * ones Redis held, computed from the data as it is after the change, in its own query.
 */

function guildApiCache(t: Test, redis: TestRedisDb) {
  const cache = createCache({ url: redis.url, busChannel: redis.channel })
  t.teardown(() => cache.close())
  return cache
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 2_000): Promise<boolean> {
  for (const until = Date.now() + timeoutMs; Date.now() < until; await new Promise((r) => setTimeout(r, 10)))
    if (await check()) return true
  return await check()
}

const stored = async (redis: TestRedisDb, key: string) => {
  const raw = await redis.redis.get(key)
  return raw === null ? null : (JSON.parse(raw) as { has_access: boolean }).has_access
}

async function setup(t: Test, extra: Record<string, string> = {}) {
  const { pg, db } = await migratedDatabase(t)
  const redis = await redisDb(t)
  await seedGuild(
    db,
    1,
    [
      { characterId: 1, bnetId: 10, rank: 1 },
      { characterId: 2, bnetId: 11, rank: 5 },
    ],
    { roster: 9, settings: 1 },
  )
  await seedGuild(db, 2, [{ characterId: 3, bnetId: 10, rank: 1 }], { roster: 9 })
  // Memory off: every check reaches Redis, so the counters show what Redis answered.
  const app = await startService(t, {
    DATABASE_URL: pg.url,
    REDIS_URL: redis.url,
    CACHE_BUS_CHANNEL: redis.channel,
    PERMISSION_L1_TTL_MS: '0',
    ...extra,
  })
  const guildApi = guildApiCache(t, redis)
  await guildApi.ready
  for (const [bnet, tool] of [
    [10, 'roster'],
    [10, 'settings'],
    [11, 'roster'],
    [11, 'settings'],
  ] as const)
    await allowed(app, 1, bnet, tool)
  await allowed(app, 2, 10, 'roster')
  t.equal(
    await stored(redis, 'permission:1:11:settings'),
    false,
    'cached before the change: rank 5 may not use settings',
  )
  return { db, redis, app, guildApi }
}

t.test(
  'the next check of an invalidated guild fills back what Redis held, with the new answers, in its one query',
  async (t) => {
    const { db, redis, app, guildApi } = await setup(t)
    const queries = app.checker.counters.dbQueries
    // guild-api: commit, then invalidate.
    await setToolRank(db, 1, 'settings', 5)
    t.equal(await guildApi.invalidateGuild(1), 4, 'the four answers removed')
    t.equal(await redis.redis.exists('permission:1:11:settings'), 0, 'removed from Redis')

    t.equal(await allowed(app, 1, 10, 'roster'), true)
    t.equal(app.checker.counters.dbQueries, queries + 1, 'one query')
    t.same(
      await Promise.all(
        [
          'permission:1:10:roster',
          'permission:1:10:settings',
          'permission:1:11:roster',
          'permission:1:11:settings',
        ].map((k) => stored(redis, k)),
      ),
      [true, true, true, true],
      'all four back, rank 5 now allowed settings',
    )
    const ttl = await redis.redis.ttl('permission:1:11:settings')
    t.ok(ttl > 290 && ttl <= 300, `with the contract's TTL (${ttl})`)
    t.equal(await redis.redis.exists('permission:1:11:sync'), 0, 'nothing Redis did not hold is invented')

    const before = { ...app.checker.counters.answered }
    t.equal(await allowed(app, 1, 11, 'settings'), true, 'the new answer')
    t.same(app.checker.counters.answered, { ...before, redis: before.redis + 1 }, 'from Redis, not the database')
    t.equal(app.checker.counters.dbQueries, queries + 1)
    t.equal(await stored(redis, 'permission:2:10:roster'), true, 'another guild is untouched')
  },
)

t.test('refills are counted apart from answers: only the asked check counts as answered by the database', async (t) => {
  const { redis, app, guildApi } = await setup(t)
  const before = { ...app.checker.counters.answered }
  await guildApi.invalidateGuild(1)
  await allowed(app, 1, 10, 'roster')
  t.same(app.checker.counters.answered, { ...before, db: before.db + 1 })
  t.match(
    (await app.inject('/metrics')).body,
    /cache_events_total\{event="prefetch"\} 3/,
    'the three others as prefetched keys',
  )
  t.equal(await redis.redis.exists('permission:1:11:roster'), 1)
})

t.test('a user invalidation refills that user’s answers in each guild at its next check there', async (t) => {
  const { redis, app, guildApi } = await setup(t)
  await guildApi.invalidateUser(10)
  t.equal(await redis.redis.exists('permission:2:10:roster'), 0)
  // Guild 1's next check is a Redis hit (11's answer stayed), so 10's two answers there come back behind it.
  await allowed(app, 1, 11, 'roster')
  t.ok(
    await eventually(async () => (await stored(redis, 'permission:1:10:settings')) === true),
    'refilled in the background',
  )
  t.equal(await redis.redis.exists('permission:2:10:roster'), 0, 'guild 2 waits for its own next check')
  await allowed(app, 2, 10, 'roster')
  t.equal(await stored(redis, 'permission:2:10:roster'), true)
})

t.test(
  'a batch over several invalidated guilds refills one guild’s worth; the others wait for their next check',
  async (t) => {
    const { redis, app, guildApi } = await setup(t, { PERMISSION_REFILL_MAX: '2' })
    await guildApi.invalidateUser(10) // guild 1: two of 10's answers pending; guild 2: one
    const res = await batch(app, [
      { guild_id: 1, bnet_id: 11, tool: 'roster' },
      { guild_id: 2, bnet_id: 11, tool: 'roster' },
    ])
    t.same(res.json(), { results: [{ has_access: true }, { has_access: false }] })
    t.ok(await eventually(async () => (await stored(redis, 'permission:1:10:settings')) === true), 'guild 1 refilled')
    t.equal(await redis.redis.exists('permission:2:10:roster'), 0, 'guild 2 not yet: the batch held its cap')
    await allowed(app, 2, 11, 'roster')
    t.ok(
      await eventually(async () => (await stored(redis, 'permission:2:10:roster')) === true),
      'guild 2 at its own next check',
    )
  },
)

t.test('PERMISSION_REFILL_MAX=0: a check fills only its own answer', async (t) => {
  const { redis, app, guildApi } = await setup(t, { PERMISSION_REFILL_MAX: '0' })
  await guildApi.invalidateGuild(1)
  await allowed(app, 1, 10, 'roster')
  t.equal(await redis.redis.exists('permission:1:10:roster'), 1)
  t.equal(await redis.redis.exists('permission:1:11:settings'), 0)
})

t.test('a bad PERMISSION_REFILL_MAX stops the start with a message', async (t) => {
  await t.rejects(startService(t, { PERMISSION_REFILL_MAX: '5000' }), /PERMISSION_REFILL_MAX/)
})
