import t from 'tap'
import { keys, TTL, MAX_TTL } from '../../src/index.js'
import { allKeys, cacheOn, claimDb } from '../fixtures/harness.js'

t.test('guarantee 1: always a TTL', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)

  t.test('set without a ttl stores for the default 300 s', async (t) => {
    t.equal(await cache.set('temp:a', { a: 1 }), true)
    const ttl = await db.redis.ttl('temp:a')
    t.ok(ttl > 295 && ttl <= 300, `TTL ${ttl}`)
  })

  t.test('a given ttl is read back by the TTL command', async (t) => {
    await cache.set(keys.userProfile(456789), { bnet_id: 456789 }, TTL.profile)
    const ttl = await db.redis.ttl('user:profile:456789')
    t.ok(ttl > 595 && ttl <= 600, `TTL ${ttl}`)
    await cache.set('temp:max', 1, MAX_TTL)
    t.ok((await db.redis.ttl('temp:max')) > MAX_TTL - 5)
  })

  t.test('a bad ttl throws and stores nothing', async (t) => {
    for (const bad of [0, -1, 1.5, 86_401, NaN, Infinity, '300', null]) {
      await t.rejects(
        cache.set('temp:bad', 1, bad as number),
        { name: 'CacheInputError', message: /ttl must be a whole number of seconds from 1 to 86400/ },
        String(bad),
      )
      await t.rejects(
        cache.getOrSet('temp:bad', async () => 1, bad as number),
        { name: 'CacheInputError' },
      )
      t.throws(() => cache.cached('temp', async () => 1, { ttl: bad as number }), { name: 'CacheInputError' })
    }
    await t.rejects(cache.setPermissionCheck(1, 2, 'roster', true, 0), { name: 'CacheInputError' })
    t.equal(await db.redis.exists('temp:bad'), 0)
  })

  t.test('a value JSON cannot represent throws and stores nothing', async (t) => {
    const cycle: Record<string, unknown> = {}
    cycle.self = cycle
    for (const [label, bad] of [
      ['undefined', undefined],
      ['BigInt', 10n],
      ['nested BigInt', { n: 1n }],
      ['cycle', cycle],
      ['function', () => 1],
      ['symbol', Symbol('s')],
    ] as const) {
      await t.rejects(
        cache.set('temp:value', bad),
        { name: 'CacheInputError', message: /cannot be stored as JSON/ },
        label,
      )
    }
    await t.rejects(
      cache.getOrSet('temp:value', async () => 10n),
      { name: 'CacheInputError' },
    )
    t.equal(await db.redis.exists('temp:value'), 0)
    t.equal(await db.redis.exists('cache:lease:{temp:value}'), 0, 'the lease was given back')
  })

  t.test('every key the layer writes, its own included, has a TTL of at most a day', async (t) => {
    await cache.getOrSet(keys.permission(1, 2, 'roster'), async () => ({ has_access: true }))
    await cache.getOrSet(keys.guildMembers(1), async () => [{ character_id: 1 }], TTL.members)
    await cache.set(keys.userSession('a'.repeat(64)), { bnet_id: 2 }, TTL.session, { user: 2 })
    await cache.invalidateUser(2)
    await cache.getOrSet(keys.permission(1, 3, 'sync'), async () => ({ has_access: false }))
    const found = await allKeys(db)
    t.ok(found.includes('cache:idx:guild:{1}'), 'a guild index exists')
    t.ok(found.includes('cache:idx:user:{3}'), 'a user index exists')
    for (const key of found) {
      const ttl = await db.redis.ttl(key)
      t.ok(ttl > 0 && ttl <= MAX_TTL, `${key} has TTL ${ttl}`)
      t.match(
        key,
        new RegExp(
          '^(' +
            /cache:|permission:\d+:\d+:[a-z][a-z0-9-]*$|guild:\d+:(members|settings)$/.source +
            /|user:(profile:\d+|session:[0-9a-f]{64})$|temp:/.source +
            ')',
        ),
        `${key} is a contract name`,
      )
    }
  })
})
