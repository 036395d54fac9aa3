import t from 'tap'
import { PendingRefills } from '../../src/check/pending-refills.js'

const guildEvent = (id: number, removed: string[]) => ({ scope: 'guild' as const, id, removed })

t.test('keeps the removed permission answers per guild and hands them over once', async (t) => {
  const refills = new PendingRefills(1_000, 100_000, 300_000)
  refills.heard(guildEvent(7, ['permission:7:1:roster', 'permission:7:2:sync', 'guild:7:members']))
  t.equal(refills.size, 2, 'permission answers only')
  t.same(refills.take(7), ['permission:7:1:roster', 'permission:7:2:sync'])
  t.equal(refills.take(7), undefined, 'handed over once')
  t.equal(refills.size, 0)
  t.equal(refills.take(8), undefined)
})

t.test('only well-formed permission keys are kept: a malformed name never reaches the query', async (t) => {
  const refills = new PendingRefills(1_000, 100_000, 300_000)
  refills.heard(
    guildEvent(7, [
      'permission:7:1:roster',
      'permission:7:x:roster',
      'permission:7:007:roster',
      'permission:7:1e3:roster',
      'permission:7:2:Bad Tool',
      'permission:7:2:roster:extra',
      'permission:0:2:roster',
      'permission:7:-2:roster',
    ]),
  )
  t.same(refills.take(7), ['permission:7:1:roster'])
  t.equal(refills.size, 0)
})

t.test('a user event groups its answers by guild', async (t) => {
  const refills = new PendingRefills(1_000, 100_000, 300_000)
  refills.heard({
    scope: 'user',
    id: 5,
    removed: ['permission:1:5:roster', 'permission:2:5:roster', 'permission:1:5:sync', 'user:profile:5'],
  })
  t.same(refills.take(1), ['permission:1:5:roster', 'permission:1:5:sync'])
  t.same(refills.take(2), ['permission:2:5:roster'])
})

t.test('events without a removed list, key and pattern events change nothing; "all" forgets everything', async (t) => {
  const refills = new PendingRefills(1_000, 100_000, 300_000)
  refills.heard(guildEvent(1, ['permission:1:1:a']))
  refills.heard({ scope: 'guild', id: 2 })
  refills.heard({ scope: 'key', key: 'permission:3:1:a' })
  refills.heard({ scope: 'pattern', pattern: 'permission:4:*' })
  t.equal(refills.size, 1)
  refills.heard({ scope: 'all' })
  t.equal(refills.size, 0)
  t.equal(refills.take(1), undefined)
})

t.test('bounded per guild, in all (oldest guild out first), and in age', async (t) => {
  let now = 0
  const refills = new PendingRefills(2, 3, 1_000, 2_000, () => now)
  refills.heard(guildEvent(1, ['permission:1:1:a', 'permission:1:2:a', 'permission:1:3:a']))
  t.equal(refills.size, 2, 'at most two a guild')
  refills.heard(guildEvent(1, ['permission:1:1:a']))
  t.equal(refills.size, 2, 'a key is kept once')
  refills.heard(guildEvent(2, ['permission:2:1:a', 'permission:2:2:a']))
  t.equal(refills.size, 2, 'guild 1 went to make room')
  t.equal(refills.take(1), undefined)
  now = 200
  refills.heard(guildEvent(3, ['permission:3:1:a']))
  now = 500
  refills.heard(guildEvent(2, ['permission:2:3:a']))
  t.equal(refills.size, 3, 'guild 2 heard again is newest; its two stand')
  now = 1_400
  t.same(refills.take(2), ['permission:2:1:a', 'permission:2:2:a'], 'a new event restarts its age')
  t.equal(refills.take(3), undefined, 'older than the answers’ TTL: dropped, not handed over')
  t.equal(refills.size, 0)
})

t.test('an invalidation while a refill is under way puts its keys back (its writes were refused)', async (t) => {
  let now = 0
  const refills = new PendingRefills(1_000, 100_000, 300_000, 2_000, () => now)
  refills.heard(guildEvent(1, ['permission:1:10:a', 'permission:1:11:a']))
  refills.heard(guildEvent(2, ['permission:2:10:a']))
  const flying = refills.take(1)
  t.same(flying, ['permission:1:10:a', 'permission:1:11:a'])
  refills.take(2)
  now = 100
  // The guild changes again before the refill stored anything: Redis held nothing to name.
  refills.heard({ scope: 'guild', id: 1 })
  t.same(refills.take(1), ['permission:1:10:a', 'permission:1:11:a'], 'back, for the next check')
  // A user event puts back that user's keys only, in every guild.
  now = 200
  refills.heard({ scope: 'user', id: 10, removed: [] })
  t.same(refills.take(1), ['permission:1:10:a'])
  t.same(refills.take(2), ['permission:2:10:a'])
  // Past the lease's TTL a refill cannot land any more, so it is nobody's to put back.
  now = 5_000
  refills.heard({ scope: 'guild', id: 1 })
  refills.heard({ scope: 'user', id: 10 })
  t.equal(refills.size, 0)
})
