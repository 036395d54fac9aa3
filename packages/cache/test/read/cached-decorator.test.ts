import t from 'tap'
import { argsKeySegment } from '../../src/index.js'
import { cacheOn, claimDb } from '../fixtures/harness.js'

t.test('the seed’s @cached: first call misses and runs fn, the second hits', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  let calls = 0
  const getUserProfile = cache.cached(
    'user:profile',
    async (userId: number) => {
      calls++
      return { bnet_id: userId, battletag: 'Thrall#1234' }
    },
    { ttl: 600 },
  )
  const first = await getUserProfile(123)
  const second = await getUserProfile(123)
  t.same(first, second)
  t.equal(calls, 1)
  t.equal(
    await db.redis.get('user:profile:123'),
    JSON.stringify(first),
    'the key is the contract’s user:profile:{bnet_id}',
  )
  const ttl = await db.redis.ttl('user:profile:123')
  t.ok(ttl > 595 && ttl <= 600)
  t.equal(await cache.invalidateUser(123), 1, 'and it is indexed like any other profile entry')
})

t.test('errors of fn are never cached', async (t) => {
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  let calls = 0
  const flaky = cache.cached('temp:flaky', async (n: number) => {
    calls++
    if (calls === 1) throw new Error('first call fails')
    return n * 2
  })
  await t.rejects(flaky(2), { message: 'first call fails' })
  t.equal(await flaky(2), 4)
  t.equal(calls, 2)
})

t.test('a stable serialization of the arguments', async (t) => {
  t.equal(argsKeySegment([1, 'roster']), '1:roster')
  t.equal(
    argsKeySegment([{ b: 1, a: [2, { d: 1, c: 2 }] }]),
    argsKeySegment([{ a: [2, { c: 2, d: 1 }], b: 1 }]),
    'object key order does not matter',
  )
  t.not(argsKeySegment([1]), argsKeySegment(['1']), 'a number and a string are different arguments')
  t.not(argsKeySegment([{ a: 1 }]), argsKeySegment([{ a: 2 }]))
  t.match(argsKeySegment(['has space']), /^~[0-9a-f]{64}$/, 'anything else is hashed, never raw in a key')
  t.match(argsKeySegment([]), /^~[0-9a-f]{64}$/)
  t.equal(argsKeySegment([new Date(0)]), argsKeySegment(['1970-01-01T00:00:00.000Z']))
  const cycle: Record<string, unknown> = {}
  cycle.me = cycle
  t.throws(() => argsKeySegment([cycle]), { name: 'CacheInputError' })
  const db = await claimDb(t)
  const cache = await cacheOn(t, db)
  let calls = 0
  const byFilter = cache.cached(
    'temp:search',
    async (filter: Record<string, unknown>) => (calls++, Object.keys(filter).length),
  )
  await byFilter({ realm: 'area-52', level: 80 })
  await byFilter({ level: 80, realm: 'area-52' })
  t.equal(calls, 1, 'same arguments in another order hit the same entry')
  t.throws(() => cache.cached('bad prefix', async () => 1), { name: 'CacheInputError' })
  t.throws(() => cache.cached('temp', 'nope' as unknown as () => Promise<number>), { name: 'CacheInputError' })
})
