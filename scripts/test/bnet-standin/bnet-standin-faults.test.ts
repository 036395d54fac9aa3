import t from 'tap'
import { FaultInjector } from '../../src/bnet-standin/faults.js'
import { clientToken, standinUnderTest } from '../helpers/standin.js'

const ROSTER = '/data/wow/guild/area-52/horde-vanguard/roster?namespace=profile-us'

t.test('a 429 fault with Retry-After, limited by times, then normal answers', async (t) => {
  const s = await standinUnderTest()
  t.teardown(s.close)
  const token = await clientToken(s.app)
  const headers = { authorization: `Bearer ${token}` }
  await s.write({ ...(await s.demo()), faults: [{ path: '/data/wow/guild/', status: 429, retry_after: 7, times: 2 }] })

  for (const n of [1, 2]) {
    const res = await s.app.inject({ url: ROSTER, headers })
    t.equal(res.statusCode, 429, `request ${n}`)
    t.equal(res.headers['retry-after'], '7')
    t.match(res.json(), { code: 429, type: 'BLZWEBAPI00000429', detail: /fault on \/data\/wow\/guild\// })
  }
  const third = await s.app.inject({ url: ROSTER, headers })
  t.equal(third.statusCode, 200, 'times used up')
  t.notOk(third.headers['retry-after'])
  t.equal((await s.app.inject({ url: '/oauth/userinfo', headers })).statusCode, 401, 'other paths are untouched')
})

t.test('a fault without times applies to every request; without retry_after no header', async (t) => {
  const s = await standinUnderTest()
  t.teardown(s.close)
  await s.write({ ...(await s.demo()), faults: [{ path: '/oauth/token', status: 503 }] })
  for (let i = 0; i < 3; i++) {
    const res = await s.app.inject({
      method: 'POST',
      url: '/oauth/token',
      payload: { grant_type: 'client_credentials' },
    })
    t.equal(res.statusCode, 503)
    t.notOk(res.headers['retry-after'])
  }
  t.equal((await s.app.inject({ url: '/health/ready' })).statusCode, 200, 'health is never faulted')
})

t.test('delay_ms slows a request down and then it answers normally', async (t) => {
  const s = await standinUnderTest()
  t.teardown(s.close)
  const token = await clientToken(s.app)
  await s.write({ ...(await s.demo()), faults: [{ path: '/data/', delay_ms: 300, times: 1 }] })
  const t0 = Date.now()
  const slow = await s.app.inject({ url: ROSTER, headers: { authorization: `Bearer ${token}` } })
  const elapsed = Date.now() - t0
  t.equal(slow.statusCode, 200)
  t.ok(elapsed >= 290, `waited ${elapsed} ms`)
  const t1 = Date.now()
  await s.app.inject({ url: ROSTER, headers: { authorization: `Bearer ${token}` } })
  t.ok(Date.now() - t1 < 250, 'the second one is not delayed')
})

t.test('delay and status together: waits, then fails', async (t) => {
  const s = await standinUnderTest()
  t.teardown(s.close)
  await s.write({ ...(await s.demo()), faults: [{ path: '/profile/', delay_ms: 150, status: 500 }] })
  const t0 = Date.now()
  const res = await s.app.inject({ url: '/profile/user/wow' })
  t.equal(res.statusCode, 500)
  t.ok(Date.now() - t0 >= 140)
})

t.test('FaultInjector: first matching fault with uses left wins; counts are per fault JSON', async (t) => {
  const faults = new FaultInjector()
  const list = [
    { path: '/a', status: 500, times: 1 },
    { path: '/a', status: 503 },
  ]
  t.equal(faults.pick(list, '/a/b')?.status, 500)
  t.equal(faults.pick(list, '/a/b')?.status, 503, 'the first is used up')
  t.equal(faults.pick(list, '/b'), undefined)
  t.equal(faults.pick(undefined, '/a'), undefined)
  const edited = [{ path: '/a', status: 500, times: 2 }]
  t.equal(faults.pick(edited, '/a')?.status, 500, 'an edited fault counts afresh')
  t.same(faults.pick([{ path: '/', delay_ms: 5 }], '/x'), {
    fault: { path: '/', delay_ms: 5 },
    delayMs: 5,
    status: undefined,
    retryAfter: undefined,
  })
})
