import t from 'tap'
import { keys } from '../../src/index.js'
import { cacheOn, claimDb, deferred, eventually } from '../fixtures/harness.js'

/*
 * Issue 16, item 4: the seed's direct write path. `set` keeps every process's in-process tier coherent
 * before it resolves and wins over a load that was in flight; `token` + `set(…, { ifUnchangedSince })` is
 * the guarded form of read-compute-set, refused when an invalidation or another write came in between.
 */

t.test('set(k, 2) then getOrSet(k) reads 2, in the writing process and in another, with memory tiers on', async (t) => {
  const db = await claimDb(t)
  const a = await cacheOn(t, db, { memory: { ttlMs: 60_000 } })
  const b = await cacheOn(t, db, { memory: { ttlMs: 60_000 } })
  t.ok(await eventually(() => a.propagating() && b.propagating()))
  const key = keys.guildSettings(61)
  const never = async () => ({ v: 'loaded' })
  t.equal(await a.set(key, { v: 1 }), true)
  t.same(await a.getOrSet(key, never), { v: 1 })
  t.same(await b.getOrSet(key, never), { v: 1 })
  t.same(await a.getOrSet(key, never), { v: 1 }, 'both remember it')
  t.equal(await a.set(key, { v: 2 }), true)
  // No waiting: set resolved only once every process had dropped its copy.
  t.same(await a.getOrSet(key, never), { v: 2 }, 'the writing process')
  t.same(await b.getOrSet(key, never), { v: 2 }, 'another process')
  t.same(a.peek(key), { v: 2 }, 'and memory now holds the new value')
  t.equal(await b.setPermissionCheck(61, 610, 'roster', true), true)
  t.same(await a.getOrSet(keys.permission(61, 610, 'roster'), async () => ({ has_access: false })), {
    has_access: true,
  })
  t.equal(await b.setPermissionCheck(61, 610, 'roster', false), true)
  t.same(
    await a.getOrSet(keys.permission(61, 610, 'roster'), async () => ({ has_access: true })),
    { has_access: false },
    'setPermissionCheck is set: coherent too',
  )
})

t.test('a load in flight when set lands does not store over it', async (t) => {
  const db = await claimDb(t)
  const reader = await cacheOn(t, db, { memory: { ttlMs: 60_000 } })
  const writer = await cacheOn(t, db)
  t.ok(await eventually(() => reader.propagating()))
  const key = keys.guildMembers(62)
  const reading = deferred<void>()
  const release = deferred<void>()
  const stale = reader.getOrSet(key, async () => {
    reading.resolve()
    await release.promise
    return ['read before the write']
  })
  await reading.promise
  t.equal(await writer.set(key, ['written']), true)
  release.resolve()
  t.same(await stale, ['read before the write'], 'its own caller gets what it loaded')
  t.same(JSON.parse((await db.redis.get(key)) as string), ['written'], 'Redis keeps the write')
  t.same(
    await reader.getOrSet(key, async () => ['reloaded']),
    ['written'],
    'and the reader neither remembered nor stored the older value',
  )
})

t.test('guarded set: refused after an invalidation anywhere, or another write, since the token', async (t) => {
  const db = await claimDb(t)
  const a = await cacheOn(t, db)
  const b = await cacheOn(t, db)
  const key = keys.permission(63, 630, 'roster')

  let token = await a.token(key)
  t.type(token, 'string')
  await b.invalidateGuild(63) // the data changed in another process while a was computing
  t.equal(
    await a.setPermissionCheck(63, 630, 'roster', true, 300, { ifUnchangedSince: token }),
    false,
    'a value computed before an invalidation is not written after it',
  )
  t.equal(await db.redis.exists(key), 0)

  token = await a.token(key)
  await b.invalidateUser(630)
  t.equal(await a.set(key, { has_access: true }, 300, { ifUnchangedSince: token }), false, 'the user scope too')

  token = await a.token(key)
  await b.delete(key)
  t.equal(await a.set(key, { has_access: true }, 300, { ifUnchangedSince: token }), false, 'a key invalidation')

  token = await a.token(key)
  t.equal(await b.set(key, { has_access: false }), true)
  t.equal(
    await a.set(key, { has_access: true }, 300, { ifUnchangedSince: token }),
    false,
    'another write since the token',
  )
  t.same(JSON.parse((await db.redis.get(key)) as string), { has_access: false })

  token = await a.token(key)
  t.equal(await a.set(key, { has_access: true }, 300, { ifUnchangedSince: token }), true, 'nothing in between: stored')
  t.same(JSON.parse((await db.redis.get(key)) as string), { has_access: true })
  t.ok((await db.redis.ttl(key)) > 290, 'with its TTL')
  t.equal(
    await a.set(key, { has_access: false }, 300, { ifUnchangedSince: token }),
    false,
    'a token is good for one write',
  )
  t.equal(await b.invalidateGuild(63), 1, 'the guarded write was indexed: its guild finds it')
  t.equal(await a.set(key, 1, 300, { ifUnchangedSince: 'made-up' }), false, 'a token no read gave')
  await t.rejects(a.set(key, 1, 300, { ifUnchangedSince: 42 as unknown as string }), {
    name: 'CacheInputError',
    message: /ifUnchangedSince/,
  })
})

t.test('guarded set: a token taken before a pattern delete, and a session token with its owner', async (t) => {
  const db = await claimDb(t)
  const a = await cacheOn(t, db)
  const b = await cacheOn(t, db)
  const key = keys.guildMembers(64)
  let token = await a.token(key)
  await b.deletePattern('guild:64:*')
  t.equal(await a.set(key, [1], 300, { ifUnchangedSince: token }), false, 'a pattern invalidation')
  const session = keys.userSession('e'.repeat(64))
  token = await a.token(session, { user: 640 })
  await b.invalidateUser(640)
  t.equal(
    await a.set(session, { bnet_id: 640 }, 600, { user: 640, ifUnchangedSince: token }),
    false,
    'the owner given to token() indexes it: invalidateUser finds the token',
  )
})

t.test('token and set without Redis: no token is accepted, nothing is stored', async (t) => {
  const { createCache } = await import('../../src/index.js')
  const none = createCache()
  const token = await none.token('temp:x')
  t.equal(await none.set('temp:x', 1, 60, { ifUnchangedSince: token }), false)
})
