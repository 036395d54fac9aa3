import t from 'tap'
import { CircuitBreaker, CircuitOpenError, type BreakerState } from '../src/circuit-breaker.js'

const fail = async (): Promise<never> => {
  throw new Error('undecided')
}
const succeed = async (): Promise<string> => 'ok'
const always = () => true

function breaker(threshold = 3, resetMs = 1000) {
  let now = 0
  const transitions: string[] = []
  const b = new CircuitBreaker({
    threshold,
    resetMs,
    now: () => now,
    onStateChange: (from: BreakerState, to: BreakerState) => transitions.push(`${from}->${to}`),
  })
  return { b, transitions, advance: (ms: number) => (now += ms) }
}

t.test('opens after N consecutive failures, not after N scattered ones', async (t) => {
  const { b } = breaker(3)
  await t.rejects(b.run(fail, always))
  await t.rejects(b.run(fail, always))
  t.equal(await b.run(succeed, always), 'ok', 'a success resets the count')
  await t.rejects(b.run(fail, always))
  await t.rejects(b.run(fail, always))
  t.equal(b.state, 'closed')
  await t.rejects(b.run(fail, always))
  t.equal(b.state, 'open')
})

t.test('while open, calls fail at once without running', async (t) => {
  const { b, advance } = breaker(1, 1000)
  await t.rejects(b.run(fail, always))
  let ran = false
  advance(999)
  const err = await b.run(async () => (ran = true), always).catch((e: unknown) => e)
  t.ok(err instanceof CircuitOpenError)
  t.equal((err as CircuitOpenError).retryInMs, 1)
  t.equal(ran, false)
})

t.test('after resetMs exactly one trial runs; its success closes the circuit', async (t) => {
  const { b, transitions, advance } = breaker(1, 1000)
  await t.rejects(b.run(fail, always))
  advance(1000)
  let release: (v: string) => void = () => {}
  const trial = b.run(() => new Promise<string>((resolve) => (release = resolve)), always)
  t.equal(b.state, 'half-open')
  await t.rejects(b.run(succeed, always), CircuitOpenError, 'a second call during the trial fails at once')
  release('recovered')
  t.equal(await trial, 'recovered')
  t.equal(b.state, 'closed')
  t.equal(await b.run(succeed, always), 'ok')
  t.same(transitions, ['closed->open', 'open->half-open', 'half-open->closed'])
})

t.test('a failed trial reopens the circuit for another resetMs', async (t) => {
  const { b, transitions, advance } = breaker(2, 500)
  await t.rejects(b.run(fail, always))
  await t.rejects(b.run(fail, always))
  advance(500)
  await t.rejects(b.run(fail, always))
  t.equal(b.state, 'open')
  advance(499)
  await t.rejects(b.run(succeed, always), CircuitOpenError)
  advance(1)
  t.equal(await b.run(succeed, always), 'ok')
  t.same(transitions, ['closed->open', 'open->half-open', 'half-open->open', 'open->half-open', 'half-open->closed'])
})

t.test('errors the caller does not count as failures prove the service answered', async (t) => {
  const { b } = breaker(1)
  await t.rejects(b.run(fail, () => false))
  t.equal(b.state, 'closed')
  t.equal(b.consecutiveFailures, 0)
})

t.test('a call admitted before the circuit opened may close it when it succeeds late', async (t) => {
  const { b } = breaker(1, 10_000)
  let release: (v: string) => void = () => {}
  const slow = b.run(() => new Promise<string>((resolve) => (release = resolve)), always)
  await t.rejects(b.run(fail, always))
  t.equal(b.state, 'open')
  release('late')
  await slow
  t.equal(b.state, 'closed')
})

t.test('bad options are refused with a message naming them', async (t) => {
  t.throws(() => new CircuitBreaker({ threshold: 0, resetMs: 1 }), /threshold/)
  t.throws(() => new CircuitBreaker({ threshold: 1.5, resetMs: 1 }), /threshold/)
  t.throws(() => new CircuitBreaker({ threshold: 1, resetMs: -1 }), /resetMs/)
  t.throws(() => new CircuitBreaker({ threshold: 1, resetMs: Number.NaN }), /resetMs/)
})
