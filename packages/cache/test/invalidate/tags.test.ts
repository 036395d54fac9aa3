import t from 'tap'
import { CacheInputError, internalKeys, keys, tagIndex, tagsOfKey, type InvalidationEvent } from '../../src/index.js'
import { cacheOn, claimDb, deferred, eventually } from '../fixtures/harness.js'

/*
 * Generic tags (`{ tags }`, `invalidateTags`) with invalidateGuild's guarantees: through the tag's index,
 * leases with entries, the bus told, a loader paused across it stores nothing. Eviction: tag-eviction.test.ts.
 */

t.test(
  'getOrSet, set, setPermissionCheck and getOrSetMany with tags; invalidateTags removes exactly those',
  async (t) => {
    const db = await claimDb(t)
    const cache = await cacheOn(t, db)
    const other = await cacheOn(t, db) // another process, on the bus
    await cache.getOrSet('raid:7:roster', async () => ['a'], 300, { tags: ['raid:7'] })
    await cache.set('raid:7:loot', { items: 3 }, 600, { tags: ['raid:7', 'event:summer'] })
    await cache.setPermissionCheck(40, 400, 'raids', true, 300, { tags: ['raid:7'] })
    await cache.getOrSetMany(['raid:7:boss:1', 'raid:7:boss:2'], async (missing) => missing.map((k) => ({ k })), 300, {
      tags: ['raid:7'],
    })
    await cache.set('raid:8:roster', ['b'], 300, { tags: ['raid:8'] })
    await cache.setPermissionCheck(40, 401, 'raids', true) // same guild, no raid tag

    const index = 'cache:idx:tag:{raid:7}'
    t.equal(tagIndex('raid:7'), index)
    t.equal(await db.redis.zcard(index), 5 + 1, 'five entries and the {born} mark in the tag index')
    const ttl = await db.redis.ttl(index)
    t.ok(ttl > 0 && ttl <= 86_400, `the index has a TTL within a day (${ttl} s)`)

    const heard: InvalidationEvent[] = []
    other.onInvalidate((event) => heard.push(event))
    t.equal(await cache.invalidateTags(['raid:7']), 5, 'five entries removed')
    for (const key of [
      'raid:7:roster',
      'raid:7:loot',
      keys.permission(40, 400, 'raids'),
      'raid:7:boss:1',
      'raid:7:boss:2',
    ]) {
      t.equal(await db.redis.exists(key), 0, `${key} gone`)
    }
    t.equal(await db.redis.exists('raid:8:roster'), 1, 'another tag’s entry stays')
    t.equal(await db.redis.exists(keys.permission(40, 401, 'raids')), 1, 'an untagged entry of the same guild stays')
    t.equal(heard.length, 1, 'the other process heard it before invalidateTags resolved (acks)')
    t.match(heard[0], { scope: 'tag', tag: 'raid:7' })
    t.same([...((heard[0] as { removed?: string[] }).removed ?? [])].sort(), [
      'permission:40:400:raids',
      'raid:7:boss:1',
      'raid:7:boss:2',
      'raid:7:loot',
      'raid:7:roster',
    ])

    // An entry carrying two of the tags named is removed, and counted, once.
    await cache.set('raid:9:x', 1, 60, { tags: ['raid:9', 'event:winter'] })
    t.equal(await cache.invalidateTags(['raid:9', 'event:winter']), 1)
  },
)

t.test('guild and user scopes are the tags the key builders attach', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  t.same(tagsOfKey(keys.permission(3, 30, 'roster')), ['guild:3', 'user:30'])
  t.same(tagsOfKey(keys.guildMembers(3)), ['guild:3'])
  t.same(tagsOfKey(keys.userProfile(30)), ['user:30'])
  t.same(tagsOfKey(keys.userSession('d'.repeat(64)), 30, ['user:30']), ['user:30'])
  t.throws(
    () => tagsOfKey(keys.userSession('d'.repeat(64)), 30, ['raid:1']),
    /takes no tags but guild:G and user:B/,
    'a generic tag on a session is refused',
  )
  t.equal(tagIndex('guild:3'), internalKeys.guildIndex(3), 'the contract’s index names')
  t.equal(tagIndex('user:30'), internalKeys.userIndex(30))

  await cache.setPermissionCheck(3, 30, 'roster', true)
  await cache.set(keys.guildMembers(3), [30], 300)
  await cache.set(keys.userSession('d'.repeat(64)), { bnet_id: 31 }, 300, { user: 31 })
  const heard: InvalidationEvent[] = []
  cache.onInvalidate((event) => heard.push(event))
  t.equal(await cache.invalidateTags(['guild:3']), 2, 'invalidateTags([guild:G]) is invalidateGuild')
  t.match(heard[0], { scope: 'guild', id: 3 }, 'announced as the guild scope, as services expect')
  t.equal(await cache.invalidateTags(['user:31']), 1, 'the session registered with { user } goes with user:B')
  t.match(heard[1], { scope: 'user', id: 31 })
})

t.test('tags are validated, naming the bad tag', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  const bad: unknown[] = [
    'raid',
    'raid 7',
    'raid:*',
    'raid:[7]',
    'raid:{7}',
    'Raid:7',
    `raid:${'x'.repeat(129)}`,
    'guild:abc',
    'user:0',
    7,
    '',
  ]
  for (const tag of bad) {
    await t.rejects(
      cache.invalidateTags([tag as string]),
      { name: 'CacheInputError', message: JSON.stringify(tag) },
      `invalidateTags refuses ${JSON.stringify(tag)}`,
    )
  }
  await t.rejects(
    cache.getOrSet('k', async () => 1, 60, { tags: ['raid:?'] }),
    CacheInputError,
  )
  await t.rejects(cache.set('k', 1, 60, { tags: ['raid:?'] }), /^set: tag "raid:\?" must be namespace:value/)
  await t.rejects(
    cache.getOrSetMany(['k'], async () => [1], 60, { tags: 'raid:7' as unknown as string[] }),
    /tags must be an array/,
  )
  await t.rejects(cache.invalidateTags(Array.from({ length: 33 }, (_, i) => `raid:${i}`)), /at most 32 tags/)
  t.equal(await db.redis.exists('k'), 0, 'nothing stored')
})

t.test('a loader paused across invalidateTags does not write its stale value back', async (t) => {
  const db = await claimDb(t)
  const reader = await cacheOn(t, db)
  const writer = await cacheOn(t, db)
  const readDone = deferred<void>()
  const release = deferred<void>()
  const stale = reader.getOrSet(
    'raid:5:roster',
    async () => {
      readDone.resolve()
      await release.promise
      return ['old']
    },
    300,
    { tags: ['raid:5'] },
  )
  await readDone.promise
  t.equal(await db.redis.exists(internalKeys.lease('raid:5:roster')), 1, 'the reader holds a lease')
  await writer.invalidateTags(['raid:5'])
  t.equal(await db.redis.exists(internalKeys.lease('raid:5:roster')), 0, 'the invalidation took the lease')
  release.resolve()
  t.same(await stale, ['old'])
  t.equal(await db.redis.get('raid:5:roster'), null, 'the stale value never reached Redis')
  t.same(await reader.getOrSet('raid:5:roster', async () => ['new'], 300, { tags: ['raid:5'] }), ['new'])
})

t.test('a memory tier drops what a tag invalidation removed, in every process', async (t) => {
  const db = await claimDb(t)
  const a = await cacheOn(t, db, { memory: { ttlMs: 60_000 } })
  const b = await cacheOn(t, db, { memory: { ttlMs: 60_000 } })
  t.ok(await eventually(() => a.propagating() && b.stats().peers > 0, 5_000))
  await a.getOrSet('raid:6:roster', async () => ['old'], 300, { tags: ['raid:6'] })
  t.same(a.peek('raid:6:roster'), ['old'], 'in memory')
  await b.invalidateTags(['raid:6'])
  t.equal(a.peek('raid:6:roster'), undefined, 'gone from the other process’s memory when invalidateTags resolved')
  t.same(await a.getOrSet('raid:6:roster', async () => ['new'], 300, { tags: ['raid:6'] }), ['new'])
})
