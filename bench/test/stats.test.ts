import t from 'tap'
import { median, round } from '../src/stats.js'

t.test('median: the middle run, or the mean of the two middle ones; NaN of nothing', async (t) => {
  t.equal(median([3, 1, 2]), 2)
  t.equal(median([4, 1, 3, 2]), 2.5)
  t.equal(median([7]), 7)
  t.ok(Number.isNaN(median([])))
  const runs = [5, 1, 4]
  median(runs)
  t.same(runs, [5, 1, 4], 'the runs are not reordered')
})

t.test('round: to the digits asked, two by default', async (t) => {
  t.equal(round(0.30749), 0.31)
  t.equal(round(0.30749, 3), 0.307)
  t.equal(round(51.4, 0), 51)
})
