import { createCache, keys, type Cache } from '@guild/cache'
import { cacheOutbox, createDb, migrate, type DbHandle } from '@guild/db'
import { claimRedisDb, createTestDatabase, freePort } from '@guild/testing'
import t from 'tap'
import { deliverInvalidations, recordInvalidations } from '../../src/invalidation/outbox.js'
import { OutboxDrainer } from '../../src/invalidation/outbox-drainer.js'
import { guildTarget, keyTarget, userTarget } from '../../src/invalidation/targets.js'

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} }

const pg = await createTestDatabase('outbox')
t.teardown(() => pg.drop())
const db = createDb({ url: pg.url, max: 4 })
t.teardown(() => db.close())
await migrate(db)
const redis = await claimRedisDb()
t.teardown(() => redis.release())
const cache = createCache({ url: redis.url, busChannel: redis.channel, logger: quiet })
t.teardown(() => cache.close())
await cache.ready

const rows = async (handle: DbHandle = db) => await handle.db.select().from(cacheOutbox)
const owe = async (c: Cache, targets: Parameters<typeof recordInvalidations>[2]) =>
  await db.db.transaction(async (tx) => await recordInvalidations(tx, c, targets))
const drainer = (c: Cache, writerGraceMs = 0) =>
  new OutboxDrainer({ db, cache: c, log: quiet, intervalMs: 60_000, writerGraceMs })

t.beforeEach(async () => {
  await db.db.delete(cacheOutbox)
})

t.test('recorded with the change, as one row per distinct target; gone with a rolled-back change', async (t) => {
  const owed = await owe(cache, [
    guildTarget(7),
    userTarget(70),
    guildTarget(7),
    keyTarget(keys.userSession('a'.repeat(64))),
  ])
  t.equal(owed.rowIds.length, 3)
  t.same(
    (await rows()).map((r) => [r.scope, r.target]),
    [
      ['guild', '7'],
      ['user', '70'],
      ['key', keys.userSession('a'.repeat(64))],
    ],
  )
  await db.db.delete(cacheOutbox)
  await t.rejects(
    db.db.transaction(async (tx) => {
      await recordInvalidations(tx, cache, [guildTarget(8)])
      throw new Error('the change failed')
    }),
    { message: 'the change failed' },
  )
  t.same(await rows(), [], 'a change that did not commit owes nothing')
})

t.test('delivered by its writer: the entries go, and so does the row', async (t) => {
  await cache.set(keys.guildMembers(7), [1])
  await cache.set(keys.userProfile(70), { a: 1 })
  const owed = await owe(cache, [guildTarget(7), userTarget(70)])
  await deliverInvalidations({ db, cache }, owed)
  t.equal(await redis.redis.exists(keys.guildMembers(7), keys.userProfile(70)), 0)
  t.same(await rows(), [])
})

t.test('without Redis nothing is recorded, so the outbox cannot grow (npm start on embedded Postgres)', async (t) => {
  const none = createCache({ logger: quiet })
  t.teardown(() => none.close())
  const owed = await owe(none, [guildTarget(7)])
  await deliverInvalidations({ db, cache: none }, owed)
  t.same(await rows(), [])
})

t.test('a writer whose invalidation could not reach Redis keeps its rows', async (t) => {
  const unreachable = createCache({ url: `redis://127.0.0.1:${await freePort()}/0`, logger: quiet })
  t.teardown(() => unreachable.close())
  await unreachable.ready
  const owed = await owe(unreachable, [guildTarget(7)])
  await deliverInvalidations({ db, cache: unreachable }, owed)
  t.equal(unreachable.pendingInvalidations(), 1)
  t.equal((await rows()).length, 1, 'kept for a drainer')
  t.equal(await drainer(unreachable).drain(), 0, 'which does nothing while Redis is down')
  t.equal((await rows()).length, 1)
})

t.test('the drainer delivers what is owed, in batches, and skips rows another transaction holds', async (t) => {
  await cache.set(keys.guildMembers(7), [1])
  await db.db
    .insert(cacheOutbox)
    .values(Array.from({ length: 250 }, (_, i) => ({ scope: 'user' as const, target: String(1000 + i) })))
  await db.db.insert(cacheOutbox).values({ scope: 'guild', target: '7' })
  // Another drainer (or the writer) holds the guild's row for now.
  let release!: () => void
  const held = new Promise<void>((resolve) => (release = resolve))
  let holding!: () => void
  const locked = new Promise<void>((resolve) => (holding = resolve))
  const other = db.db.transaction(async (tx) => {
    await tx.execute(`select id from cache_outbox where scope = 'guild' for update`)
    holding()
    await held
  })
  await locked
  t.equal(await drainer(cache).drain(), 250, 'every row but the held one')
  t.equal(await redis.redis.exists(keys.guildMembers(7)), 1, 'the held one is left to its holder')
  t.same(
    (await rows()).map((r) => r.scope),
    ['guild'],
  )
  release()
  await other
  t.equal(await drainer(cache).drain(), 1)
  t.equal(await redis.redis.exists(keys.guildMembers(7)), 0)
  t.same(await rows(), [])
})

t.test("a row younger than its writer's grace is left to its writer", async (t) => {
  await owe(cache, [guildTarget(7)])
  t.equal(await drainer(cache, 60_000).drain(), 0)
  t.equal((await rows()).length, 1)
  t.equal(await drainer(cache).drain(), 1, 'and taken once it is older')
})

t.test('started, it drains at once and stops cleanly', async (t) => {
  await cache.set(keys.guildMembers(9), [1])
  await db.db.insert(cacheOutbox).values({ scope: 'guild', target: '9' })
  const d = drainer(cache)
  d.start()
  for (const until = Date.now() + 2_000; Date.now() < until && (await rows()).length > 0;)
    await new Promise((r) => setTimeout(r, 20))
  await d.stop()
  t.same(await rows(), [])
  t.equal(await redis.redis.exists(keys.guildMembers(9)), 0)
})
