import t from 'tap'
import { RecentKeys } from '../../src/check/recent-keys.js'

function clocked(windowMs: number, max: number, resolutionMs?: number) {
  const clock = { now: 0 }
  return { clock, recent: new RecentKeys(windowMs, max, () => clock.now, resolutionMs) }
}

t.test('a key asked within the window is recent; one asked before it is not', async (t) => {
  const { clock, recent } = clocked(60_000, 100, 1_000)
  recent.note('a')
  clock.now = 30_000
  recent.note('b')
  clock.now = 61_000
  t.same(recent.recent(['a', 'b', 'never']), ['b'])
})

t.test('asking again moves a key forward once its noted time is a resolution old, not before', async (t) => {
  const { clock, recent } = clocked(10_000, 100, 1_000)
  recent.note('a')
  clock.now = 500
  recent.note('a') // within the resolution: still noted at 0
  clock.now = 10_200
  t.same(recent.recent(['a']), [], 'left the window as noted at 0 (at most the resolution early)')
  recent.note('a')
  clock.now = 15_000
  t.same(recent.recent(['a']), ['a'], 'noted again at 10,200')
})

t.test('past its bound the least recently noted key goes first', async (t) => {
  const { clock, recent } = clocked(60_000, 2, 1_000)
  recent.note('a')
  clock.now = 2_000
  recent.note('b')
  clock.now = 4_000
  recent.note('a') // older than the resolution: moves to the back
  recent.note('c') // evicts b, the least recent
  t.same(recent.recent(['a', 'b', 'c']), ['a', 'c'])
})
