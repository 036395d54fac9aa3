import t from 'tap'
import { internalKeys, keys, tagIndex, type Cache } from '../../src/index.js'
import { sleep } from '../fixtures/harness.js'
import { evictWhileHot, pressedRedis } from '../fixtures/pressed-redis.js'

/*
 * Guarantee 3 for a caller's tag under memory pressure (as index-eviction.test.ts for guilds and users).
 * No key names a caller's tag, so an index that cannot vouch makes invalidateTags sweep every entry of
 * the cache: never "nothing to remove". Stale copies (`cache:stale:{KEY}`) go with the sweep too.
 */

const TAG = 'raid:7'
const HOT = 300
const hotKey = (i: number) => `raid:7:member:${i + 1}`
const readHot = (cache: Cache) => Promise.all(Array.from({ length: HOT }, (_, i) => cache.get(hotKey(i))))

async function scans(admin: { info(section: string): Promise<string> }): Promise<number> {
  return Number(/^cmdstat_scan:calls=(\d+)/m.exec(await admin.info('commandstats'))?.[1] ?? 0)
}

t.test('invalidateTags after LRU evicted the tag index: no stale answer, stale copies gone', async (t) => {
  const { admin, open } = await pressedRedis(t, 'cache:test:tag-eviction')
  const cache = open()
  const writer = open()
  await Promise.all([cache.ready, writer.ready])
  for (let i = 0; i < HOT; i++) t.equal(await cache.set(hotKey(i), { i }, 600, { tags: [TAG] }), true)
  const index = tagIndex(TAG)
  await evictWhileHot(admin, cache, [index], () => readHot(cache))
  const hot = (await readHot(cache)).filter((v) => v !== null).length
  t.ok(hot > HOT / 2, `${hot} of ${HOT} entries still served after their index was evicted`)
  // A miss makes a new index that knows none of the hot entries.
  await cache.getOrSet('raid:7:boss', async () => ['a'], 300, { tags: [TAG] })
  t.equal(await admin.exists(index), 1, 'the index is back, younger than the entries')
  // An entry that expired, leaving its stale copy behind (written after the pressure, so LRU keeps it).
  await admin.set(internalKeys.stale('raid:7:member:gone'), '"old"', 'PX', 60_000)
  await admin.set(internalKeys.stale(hotKey(0)), '"old"', 'PX', 60_000)
  const session = keys.userSession('a'.repeat(64))
  await admin.set(session, '{"bnet_id":1}', 'EX', 600)

  const removed = await writer.invalidateTags([TAG])
  t.ok(removed >= hot + 1, `${removed} removed: the unindexed entries too`)
  t.equal((await readHot(cache)).filter((v) => v !== null).length, 0, 'zero stale answers through the library')
  t.equal(await cache.get('raid:7:boss'), null, 'the indexed entry too')
  t.equal(
    await admin.exists(internalKeys.stale('raid:7:member:gone'), internalKeys.stale(hotKey(0))),
    0,
    'stale copies gone',
  )
  t.equal(await admin.exists(session), 1, 'a session is no cache entry: the sweep leaves it')
  const untrusted = /cache_events_total\{event="index_untrusted"\} (\d+)/.exec(await writer.metrics.metrics())
  t.equal(untrusted?.[1], '1', 'counted as an untrusted index')
})

t.test('a missing tag index after evictions means a sweep, and a swept index vouches again', async (t) => {
  const { admin, open } = await pressedRedis(t, 'cache:test:tag-eviction-2')
  // A short lease and bound, so that an index settles (lockTtlMs + operationTimeoutMs + 1 s) quickly.
  const cache = open({ lockTtlMs: 100, operationTimeoutMs: 200 })
  await cache.ready
  for (let i = 0; i < HOT; i++) await cache.set(hotKey(i), { i }, 600, { tags: [TAG] })
  await evictWhileHot(admin, cache, [tagIndex(TAG)], () => readHot(cache))
  // No index at all: an entry written by another process before its index, or whose index went.
  await admin.set('raid:7:orphan', '"x"', 'EX', 600)
  t.equal(await admin.exists(tagIndex(TAG)), 0)
  const first = await scans(admin)
  t.ok((await cache.invalidateTags([TAG])) >= 1)
  t.ok((await scans(admin)) > first, 'a missing index could not vouch: the cache was scanned')
  t.equal(await admin.get('raid:7:orphan'), null, 'the orphan is gone')

  await cache.set('raid:7:one', 1, 600, { tags: [TAG] }) // a new index
  await sleep(1_400)
  await cache.invalidateTags([TAG]) // sweeps, and marks the settled index swept
  await cache.set('raid:7:two', 2, 600, { tags: [TAG] })
  const second = await scans(admin)
  t.equal(await cache.invalidateTags([TAG]), 1, 'the entry written since is found')
  t.equal(await scans(admin), second, 'through the index alone: the sweep made it vouch')
})

t.test('a guild scan after evictions takes stale copies of its expired entries', async (t) => {
  const { admin, open } = await pressedRedis(t, 'cache:test:tag-eviction-3')
  const cache = open()
  await cache.ready
  for (let u = 1; u <= HOT; u++) await cache.setPermissionCheck(5, u, 'roster', true)
  await evictWhileHot(admin, cache, [internalKeys.guildIndex(5)], () =>
    Promise.all(Array.from({ length: HOT }, (_, u) => cache.getPermissionCheck(5, u + 1, 'roster'))),
  )
  const expired = keys.permission(5, 9_999, 'roster')
  await admin.set(internalKeys.stale(expired), '"old"', 'PX', 60_000)
  await admin.set(internalKeys.stale(keys.permission(6, 1, 'roster')), '"other guild"', 'PX', 60_000)
  await cache.invalidateGuild(5)
  t.equal(await admin.exists(internalKeys.stale(expired)), 0, 'the expired entry’s stale copy went with the scan')
  t.equal(await admin.exists(internalKeys.stale(keys.permission(6, 1, 'roster'))), 1, 'another guild’s stays')
})

t.test('a session takes no generic tag, since the sweep that backs one leaves sessions alone', async (t) => {
  const { open } = await pressedRedis(t, 'cache:test:tag-eviction-session')
  const cache = open()
  await cache.ready
  await t.rejects(
    cache.set(keys.userSession('b'.repeat(64)), { bnet_id: 2 }, 600, { tags: [TAG] }),
    /takes no tags but guild:G and user:B/,
  )
  t.equal(
    await cache.set(keys.userSession('b'.repeat(64)), { bnet_id: 2 }, 600, { tags: ['user:2'] }),
    true,
    'its user tag is fine',
  )
})
