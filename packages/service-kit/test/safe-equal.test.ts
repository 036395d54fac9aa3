import t from 'tap'
import { safeEqual } from '../src/index.js'

t.test('safeEqual says whether two secrets are the same', async (t) => {
  t.equal(safeEqual('a-shared-service-token', 'a-shared-service-token'), true)
  t.equal(safeEqual('', ''), true)
  t.equal(safeEqual('a-shared-service-token', 'a-shared-service-tokeN'), false)
  t.equal(safeEqual('short', 'a-much-longer-candidate-value'), false, 'different lengths compare without throwing')
  t.equal(safeEqual('é', 'e\u0301'), false, 'compares code units, not normalised text')
})

t.test('anything but two strings is unequal rather than an exception', async (t) => {
  t.equal(safeEqual(undefined as unknown as string, 'x'), false)
  t.equal(safeEqual('x', ['x'] as unknown as string), false)
})
