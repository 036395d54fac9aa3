import t from 'tap'
import {
  assertKey,
  escapeGlob,
  globToRegExp,
  keys,
  namespaceOf,
  patterns,
  scopesOfKey,
  sessionIdOf,
} from '../../src/index.js'
import { allKeys, cacheOn, claimDb } from '../fixtures/harness.js'

const badIds = [0, -1, 1.5, 2 ** 53, NaN, '12', null, undefined, 1n]
const badTools = ['', 'Roster', '1abc', 'a*', 'a:b', 'a b', 'a?', 'a[1]', 'rôster', 'x'.repeat(33), 'a\\b']

t.test('key builders spell the contract’s keys', async (t) => {
  t.equal(keys.permission(123, 456789, 'progress'), 'permission:123:456789:progress')
  t.equal(keys.guildMembers(123), 'guild:123:members')
  t.equal(keys.guildSettings(123), 'guild:123:settings')
  t.equal(keys.userProfile(456789), 'user:profile:456789')
  const sid = sessionIdOf('a-session-token')
  t.match(sid, /^[0-9a-f]{64}$/)
  t.not(sid.includes('a-session-token'), true)
  t.equal(keys.userSession(sid), `user:session:${sid}`)
  t.equal(patterns.guildPermissions(123), 'permission:123:*')
  t.equal(patterns.guildEntries(123), 'guild:123:*')
  t.equal(patterns.userPermissions(456789), 'permission:*:456789:*')
})

t.test('every rejected id and tool, before anything reaches Redis', async (t) => {
  for (const bad of badIds) {
    t.throws(
      () => keys.permission(bad as number, 1, 'roster'),
      { name: 'CacheInputError', message: /guildId must be a positive integer below 2\^53/ },
      `guild ${String(bad)}`,
    )
    t.throws(() => keys.permission(1, bad as number, 'roster'), { name: 'CacheInputError', message: /bnetId/ })
    t.throws(() => keys.guildMembers(bad as number), { name: 'CacheInputError' })
    t.throws(() => keys.userProfile(bad as number), { name: 'CacheInputError' })
    t.throws(() => patterns.guildPermissions(bad as number), { name: 'CacheInputError' })
  }
  for (const bad of badTools) {
    t.throws(
      () => keys.permission(1, 1, bad),
      { name: 'CacheInputError', message: /tool must match/ },
      JSON.stringify(bad),
    )
  }
  t.throws(() => keys.userSession('not-a-hash'), { name: 'CacheInputError' })
  t.throws(() => keys.userSession('A'.repeat(64)), { name: 'CacheInputError' })
})

t.test('the cache refuses bad ids, tools and keys at its door', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  for (const bad of badIds) {
    await t.rejects(cache.invalidateGuild(bad as number), { name: 'CacheInputError' })
    await t.rejects(cache.invalidateUser(bad as number), { name: 'CacheInputError' })
    await t.rejects(cache.getPermissionCheck(bad as number, 1, 'roster'), { name: 'CacheInputError' })
    // options.user undefined just means "no owner".
    if (bad !== undefined)
      await t.rejects(cache.set('temp:x', 1, 60, { user: bad as number }), { name: 'CacheInputError' })
  }
  for (const bad of badTools) await t.rejects(cache.setPermissionCheck(1, 1, bad, true), { name: 'CacheInputError' })
  await t.rejects(cache.setPermissionCheck(1, 1, 'roster', 'yes' as unknown as boolean), { name: 'CacheInputError' })
  for (const bad of ['', 'a b', 'a\nb', 'a{b}', 'x'.repeat(1025), 5 as unknown as string]) {
    await t.rejects(cache.get(bad), { name: 'CacheInputError' }, JSON.stringify(bad))
    await t.rejects(cache.set(bad, 1), { name: 'CacheInputError' })
    await t.rejects(cache.delete(bad), { name: 'CacheInputError' })
  }
  for (const bad of ['', 'a\u0000*', 7 as unknown as string])
    await t.rejects(cache.deletePattern(bad), { name: 'CacheInputError' })
  await t.rejects(cache.getOrSet('temp:x', 'nope' as unknown as () => Promise<number>), { name: 'CacheInputError' })
  await t.rejects(
    cache.getOrSetMany('temp:x' as unknown as string[], async () => []),
    { name: 'CacheInputError' },
  )
  t.equal((await allKeys(db)).length, 0, 'nothing was written')
})

t.test('escapeGlob: user text in a pattern matches only itself', async (t) => {
  t.equal(escapeGlob('a*b?c[d]e\\f'), 'a\\*b\\?c\\[d\\]e\\\\f')
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  for (const k of ['temp:a*', 'temp:ab', 'temp:a?', 'temp:a[1]', 'temp:a1', 'temp:a\\x']) await cache.set(k, 1)
  t.equal(await cache.deletePattern(`temp:${escapeGlob('a*')}`), 1, 'the star is a star, not a wildcard')
  t.equal(await cache.deletePattern(`temp:${escapeGlob('a[1]')}`), 1)
  t.equal(await cache.deletePattern(`temp:${escapeGlob('a?')}`), 1)
  t.equal(await cache.deletePattern(`temp:${escapeGlob('a\\x')}`), 1)
  t.same(await allKeys(db), ['temp:a1', 'temp:ab'])
})

t.test('deletePattern: SCAN and UNLINK in batches, counts, leaves the layer’s own keys', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  for (let u = 1; u <= 1_234; u++) await db.redis.set(`permission:5:${u}:roster`, '{"has_access":true}', 'EX', 60)
  await db.redis.set('permission:6:1:roster', '{"has_access":true}', 'EX', 60)
  await cache.setPermissionCheck(5, 99_999, 'sync', true)
  t.equal(await cache.deletePattern(patterns.guildPermissions(5)), 1_235)
  const left = await allKeys(db)
  t.ok(left.includes('permission:6:1:roster'))
  t.ok(left.includes('cache:idx:guild:{5}'), 'indexes are not data: a pattern never removes them')
  t.equal(await cache.deletePattern('*'), 1, 'even * spares cache: keys')
  t.same(
    (await allKeys(db)).filter((k) => !k.startsWith('cache:')),
    [],
  )
})

t.test('scopes, namespaces, key checks and the glob matcher', async (t) => {
  t.same(scopesOfKey('permission:1:2:roster'), { guild: 1, user: 2 })
  t.same(scopesOfKey('guild:3:members'), { guild: 3 })
  t.same(scopesOfKey('user:profile:4'), { user: 4 })
  t.same(scopesOfKey(`user:session:${'d'.repeat(64)}`, 5), { user: 5 })
  t.same(scopesOfKey('guild:x:members'), {})
  t.same(scopesOfKey('temp:1'), {})
  t.equal(namespaceOf('permission:1:2:roster'), 'permission')
  t.equal(namespaceOf('Weird!:1'), 'other')
  t.equal(namespaceOf('plain'), 'plain')
  t.doesNotThrow(() => assertKey('a:b-c_d.e'))
  const re = globToRegExp('permission:1:*:r?st[aeiou]r')
  t.ok(re.test('permission:1:22:roster'))
  t.notOk(re.test('permission:2:22:roster'))
  t.ok(globToRegExp('a\\*').test('a*'))
  t.notOk(globToRegExp('a\\*').test('ab'))
  t.ok(globToRegExp('[^a]x').test('bx'))
  t.notOk(globToRegExp('[^a]x').test('ax'))
  t.ok(globToRegExp('a[').test('a['), 'an unclosed bracket is literal')
  t.ok(globToRegExp('a.b').test('a.b'))
  t.notOk(globToRegExp('a.b').test('axb'))
})
