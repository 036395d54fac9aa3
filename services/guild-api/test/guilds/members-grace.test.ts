import { internalKeys, keys } from '@guild/cache'
import t from 'tap'
import { registerHordeVanguard, startHarness } from '../helpers/harness.js'

/*
 * Issue 16 part 6: a roster read after its entry's TTL, with the database out of reach, is answered with
 * the roster's stale (grace) copy instead of a 503. The memory tier is off so that Redis must answer,
 * and the entry is removed as its TTL would remove it.
 */

t.test('members: the database fails after the TTL, within grace: the last roster answers', async (t) => {
  const h = await startHarness(t, { databaseProxy: true, env: { CACHE_MEMORY_TTL_MS: '0' } })
  const gm = h.as(await registerHordeVanguard(h))
  const fresh = await gm.get('/guilds/9001/members')
  t.equal(fresh.statusCode, 200)
  const key = keys.guildMembers(9001)
  t.ok(await h.redis!.redis.exists(internalKeys.stale(key)), 'the roster left a stale copy')
  await h.redis!.redis.del(key)
  await h.dbProxy?.cut()
  const before = h.app.cache.stats().staleServed
  const stale = await gm.get('/guilds/9001/members')
  t.equal(stale.statusCode, 200, 'answered, not 503')
  t.same(stale.json(), fresh.json(), 'with the last roster')
  t.equal(h.app.cache.stats().staleServed, before + 1, 'from the stale copy')
  await h.redis!.redis.del(internalKeys.stale(key))
  t.equal((await gm.get('/guilds/9001/members')).statusCode, 503, 'no stale copy: the database error stands')
})
