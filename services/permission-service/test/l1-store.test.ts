import t from 'tap'
import { L1Store } from '../src/check/l1-store.js'

t.test('the in-process tier: TTL, bound, and invalidation by guild, user, key and pattern', async (t) => {
  let now = 0
  const store = new L1Store(1_000, 3, () => now)
  store.set('permission:1:10:roster', 1, 10, true)
  store.set('permission:1:11:roster', 1, 11, false)
  store.set('permission:2:10:roster', 2, 10, true)
  t.equal(store.get('permission:1:10:roster'), true)
  t.equal(store.get('permission:1:11:roster'), false)
  store.set('permission:3:12:sync', 3, 12, true)
  t.equal(store.size, 3, 'bounded')
  t.equal(store.get('permission:1:10:roster'), undefined, 'the oldest went first')
  t.same(store.drop({ scope: 'user', id: 10 }), ['permission:2:10:roster'])
  t.equal(store.get('permission:2:10:roster'), undefined)
  t.same(store.drop({ scope: 'guild', id: 1 }), ['permission:1:11:roster'])
  t.equal(store.get('permission:1:11:roster'), undefined)
  t.same(store.drop({ scope: 'guild', id: 99 }), [])
  store.set('permission:3:13:sync', 3, 13, false)
  t.same(store.drop({ scope: 'key', key: 'permission:3:13:sync' }), ['permission:3:13:sync'])
  t.same(store.drop({ scope: 'key', key: 'permission:3:13:sync' }), [])
  store.set('permission:4:14:a', 4, 14, true)
  t.same(store.drop({ scope: 'pattern', pattern: 'permission:4:*' }), ['permission:4:14:a'])
  t.equal(store.get('permission:3:12:sync'), true)
  now = 1_000
  t.equal(store.get('permission:3:12:sync'), undefined, 'expired after its TTL')
  store.set('permission:5:15:a', 5, 15, true)
  store.set('permission:5:15:a', 5, 15, false)
  t.equal(store.size, 1, 'a rewrite replaces')
  t.same(store.drop({ scope: 'all' }), ['permission:5:15:a'])
  t.equal(store.size, 0)
})
