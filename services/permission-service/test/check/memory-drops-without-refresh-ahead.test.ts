import { createCache } from '@guild/cache'
import { Registry } from 'prom-client'
import t from 'tap'
import { CheckCommand } from '../../src/check/check-command.js'
import { migratedDatabase, redisDb, seedGuild, setToolRank } from '../helpers/harness.js'

// The memory tier owns its invalidation: with refresh-ahead off (nothing else listening to drop its
// entries), an invalidation still removes them, and the next check sees the change.
t.test('with refresh-ahead off, an invalidation still drops the memory tier’s entries', async (t) => {
  const { db } = await migratedDatabase(t)
  const redis = await redisDb(t)
  await seedGuild(db, 1, [{ characterId: 1, bnetId: 10, rank: 2 }], { sync: 2, roster: 9 })
  const cache = createCache({ url: redis.url, busChannel: redis.channel })
  const guildApi = createCache({ url: redis.url, busChannel: redis.channel })
  t.teardown(async () => {
    await cache.close()
    await guildApi.close()
  })
  const checker = new CheckCommand(cache, db, new Registry(), {
    l1TtlMs: 60_000,
    l1Max: 100,
    dbTimeoutMs: 2_000,
    leaseTtlMs: 2_000,
    refreshMax: 0,
    refillMax: 0,
  })
  checker.db.markSchemaReady()
  for (let i = 0; i < 300 && !(cache.propagating() && guildApi.stats().peers > 0); i++)
    await new Promise((r) => setTimeout(r, 10))

  const item = { guildId: 1, bnetId: 10, tool: 'sync' }
  t.equal(await checker.check(item), true)
  t.equal(await checker.check({ ...item, tool: 'roster' }), true)
  t.equal(checker.l1?.store.size, 2, 'both answers in memory')
  t.equal(checker.peek(item), true, 'answered from memory')

  await setToolRank(db, 1, 'sync', 1)
  const queries = checker.counters.dbQueries
  const { complete } = await guildApi.propagation(() => guildApi.invalidateGuild(1))
  t.ok(complete, 'the checker’s process acked the invalidation')
  t.equal(checker.l1?.store.size, 0, 'the tier dropped its entries by itself')
  t.equal(checker.peek(item), undefined, 'nothing left to answer from memory')
  await new Promise((r) => setImmediate(r))
  t.equal(checker.counters.dbQueries, queries, 'and nothing recomputed them (refresh-ahead is off)')
  t.equal(await checker.check(item), false, 'the next check sees the change')
})
