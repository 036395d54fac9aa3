import t from 'tap'
import { internalKeys, keys, type Cache, type InvalidationEvent } from '../../src/index.js'
import { sleep } from '../fixtures/harness.js'
import { evictWhileHot, pressedRedis } from '../fixtures/pressed-redis.js'

/*
 * Guarantee 3 under memory pressure. The shipped Redis evicts with allkeys-lru; an index is touched only
 * on misses, the hot entries it lists on every read, so LRU takes the index first. A private
 * redis-server with a few MB and allkeys-lru: hot entries read over and over while filler pushes memory
 * past its limit, until the indexes are gone; then a revoke, and every answer through the library.
 */

const GUILD = 5
const USERS = 300

const readAll = (cache: Cache) =>
  Promise.all(Array.from({ length: USERS }, (_, i) => cache.getPermissionCheck(GUILD, i + 1, 'roster')))

t.test('invalidateGuild after LRU evicted the guild index: no stale answer', async (t) => {
  const { admin, open } = await pressedRedis(t, 'cache:test:eviction')
  const service = open()
  const writer = open()
  await Promise.all([service.ready, writer.ready])
  for (let u = 1; u <= USERS; u++) t.equal(await service.setPermissionCheck(GUILD, u, 'roster', true), true)
  const index = internalKeys.guildIndex(GUILD)
  await evictWhileHot(admin, service, [index], () => readAll(service))
  const hot = (await readAll(service)).filter((v) => v?.has_access === true).length
  t.ok(hot > USERS / 2, `${hot} of ${USERS} entries still served after their index was evicted`)
  // A miss in the guild makes a new index that knows nothing of the hot entries.
  await service.getOrSet(keys.guildMembers(GUILD), async () => [1], 300)
  t.equal(await admin.exists(index), 1, 'the index is back, younger than the entries')

  const heard: InvalidationEvent[] = []
  service.onInvalidate((event) => heard.push(event))
  await writer.invalidateGuild(GUILD) // the revoke
  t.equal(heard.length, 1, 'the service heard it')
  t.match(heard[0], { scope: 'guild', id: GUILD })
  t.ok(
    ((heard[0] as { removed?: string[] }).removed ?? []).length >= hot,
    'naming what was removed, the unindexed entries too',
  )
  const after = await readAll(service)
  t.equal(after.filter((v) => v !== null).length, 0, 'zero stale answers through the library')
  t.equal(await admin.get(keys.guildMembers(GUILD)), null, 'the indexed entry too')
})

t.test('invalidateUser after LRU evicted the user indexes: no stale answer', async (t) => {
  const { admin, open } = await pressedRedis(t, 'cache:test:eviction')
  const cache = open()
  await cache.ready
  const users = [1, 2, 3]
  for (const u of users) {
    await cache.set(keys.userProfile(u), { bnet_id: u }, 600)
    for (let g = 1; g <= 20; g++) await cache.setPermissionCheck(g, u, 'roster', true)
  }
  const hot = () =>
    Promise.all(
      users.flatMap((u) => [
        cache.get(keys.userProfile(u)),
        ...Array.from({ length: 20 }, (_, g) => cache.getPermissionCheck(g + 1, u, 'roster')),
      ]),
    )
  await evictWhileHot(
    admin,
    cache,
    users.map((u) => internalKeys.userIndex(u)),
    hot,
  )
  t.ok(
    (await hot()).some((v) => v !== null),
    'entries still served after their indexes were evicted',
  )
  for (const u of users) await cache.invalidateUser(u)
  t.equal((await hot()).filter((v) => v !== null).length, 0, 'zero stale answers')
})

t.test('after a sweep of a settled index, the index vouches again: no scan', async (t) => {
  const { admin, open } = await pressedRedis(t, 'cache:test:eviction')
  // A short lease and bound, so that an index settles (lockTtlMs + operationTimeoutMs + 1 s) quickly.
  const cache = open({ lockTtlMs: 100, operationTimeoutMs: 200 })
  await cache.ready
  for (let u = 1; u <= USERS; u++) await cache.setPermissionCheck(GUILD, u, 'roster', true)
  await evictWhileHot(admin, cache, [internalKeys.guildIndex(GUILD)], () => readAll(cache))
  await cache.setPermissionCheck(GUILD, 1, 'roster', true) // a new index
  const scans = async () => Number(/^cmdstat_scan:calls=(\d+)/m.exec(await admin.info('commandstats'))?.[1] ?? 0)
  await sleep(1_400)
  const first = await scans()
  await cache.invalidateGuild(GUILD)
  const second = await scans()
  t.ok(second > first, 'the index could not vouch: the guild was scanned')
  await cache.setPermissionCheck(GUILD, 2, 'roster', true)
  t.equal(await cache.invalidateGuild(GUILD), 1, 'the entry written since is found')
  t.equal(await scans(), second, 'through the index alone: the sweep made it vouch')
  t.equal(await cache.getPermissionCheck(GUILD, 2, 'roster'), null)
})
