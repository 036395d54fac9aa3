import t from 'tap'
import { internalKeys, keys } from '../../src/index.js'
import { cacheOn, claimDb } from '../fixtures/harness.js'

/*
 * Issue 16 part 2: an invalidation removes a key's stale (grace) copy with the key, so a failing loader
 * is never answered with a value from before it. The removal paths belong to src/invalidate/ and the
 * unlink scripts (branch cache-tags); this file passes once both branches are merged.
 */

const failing = async (): Promise<never> => {
  throw new Error('database down')
}

for (const [name, invalidate] of [
  ['delete', (c: Awaited<ReturnType<typeof cacheOn>>, key: string) => c.delete(key)],
  ['deletePattern', (c: Awaited<ReturnType<typeof cacheOn>>) => c.deletePattern('guild:401:*')],
  ['invalidateGuild', (c: Awaited<ReturnType<typeof cacheOn>>) => c.invalidateGuild(401)],
] as const) {
  t.test(`${name} removes the stale copy: a failing loader afterwards fails`, async (t) => {
    const db = await claimDb(t)
    const cache = await cacheOn(t, db)
    const key = keys.guildMembers(401)
    await cache.getOrSet(key, async () => ['before'], 5, { grace: 600 })
    t.equal(await db.redis.exists(internalKeys.stale(key)), 1)
    await invalidate(cache, key)
    t.equal(await db.redis.exists(internalKeys.stale(key)), 0, 'the stale copy is gone')
    await t.rejects(cache.getOrSet(key, failing, 5, { grace: 600 }), /database down/)
  })
}

t.test('invalidateUser removes the profile stale copy', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  const key = keys.userProfile(402)
  await cache.getOrSet(key, async () => ({ name: 'before' }), 5, { grace: 600 })
  await cache.invalidateUser(402)
  t.equal(await db.redis.exists(internalKeys.stale(key)), 0)
})
