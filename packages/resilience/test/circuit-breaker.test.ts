import t, { type Test } from 'tap'
import { CircuitBreaker, CircuitOpenError, type BreakerState } from '../src/index.js'

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

t.test('a caller that reports outcomes itself: success() and failure() count as run() does', async (t) => {
  const { b, transitions } = breaker(2)
  b.failure()
  b.success()
  b.failure()
  t.equal(b.isOpen, false, 'a success in between resets the count')
  b.failure()
  t.equal(b.isOpen, true)
  t.equal(b.state, 'open')
  b.success()
  t.equal(b.isOpen, false, 'an answer closes it')
  t.same(transitions, ['closed->open', 'open->closed'])
})

t.test('trip() opens at once and counts as the threshold reached', async (t) => {
  const { b, transitions } = breaker(5)
  b.trip()
  t.equal(b.state, 'open')
  t.equal(b.consecutiveFailures, 5)
  b.trip()
  t.same(transitions, ['closed->open'], 'tripping an open circuit changes nothing')
})

t.test('without resetMs no call passes an open circuit, however long it waited', async (t) => {
  let now = 0
  const b = new CircuitBreaker({ threshold: 1, now: () => now })
  await t.rejects(b.run(fail, always))
  now += 1e9
  await t.rejects(b.run(succeed, always), CircuitOpenError)
  t.equal(b.state, 'open')
})

/** The probe's timer is unref'd (it never keeps a process alive): the test holds the process open itself. */
function keepAlive(t: Test): void {
  const timer = setInterval(() => undefined, 1_000)
  t.teardown(() => clearInterval(timer))
}

/** A probe the test answers: `asked` resolves each time the breaker asks. */
function scriptedProbe() {
  const answers: ((ok: boolean | Error) => void)[] = []
  let asked: () => void = () => {}
  return {
    check: () =>
      new Promise<boolean>((resolve, reject) => {
        answers.push((ok) => (ok instanceof Error ? reject(ok) : resolve(ok)))
        asked()
      }),
    nextAsk: () => new Promise<void>((resolve) => (asked = resolve)),
    answer: (ok: boolean | Error) => answers.shift()?.(ok),
    get pending() {
      return answers.length
    },
  }
}

t.test('with a probe: asked only while open, every intervalMs, until its first yes closes the circuit', async (t) => {
  keepAlive(t)
  const probe = scriptedProbe()
  const b = new CircuitBreaker({ threshold: 1, probe: { check: probe.check, intervalMs: 5 } })
  t.teardown(() => b.stop())
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal(probe.pending, 0, 'a closed circuit is never probed')
  let asked = probe.nextAsk()
  b.failure()
  await asked
  asked = probe.nextAsk()
  probe.answer(false)
  await asked
  asked = probe.nextAsk()
  probe.answer(new Error('probe failed'))
  await asked
  t.equal(b.state, 'open', 'a no or a failed probe keeps it open, and probes again')
  probe.answer(true)
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(b.state, 'closed')
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal(probe.pending, 0, 'no probe once closed')
})

t.test('with a probe: a circuit closed by a call while a probe is out is not probed again', async (t) => {
  keepAlive(t)
  const probe = scriptedProbe()
  const b = new CircuitBreaker({ threshold: 1, probe: { check: probe.check, intervalMs: 1 } })
  t.teardown(() => b.stop())
  const asked = probe.nextAsk()
  b.trip()
  await asked
  b.success()
  probe.answer(false)
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal(probe.pending, 0)
  t.equal(b.state, 'closed')
})

t.test('stop(): no probe after it, even while open', async (t) => {
  keepAlive(t)
  const probe = scriptedProbe()
  const b = new CircuitBreaker({ threshold: 1, probe: { check: probe.check, intervalMs: 1 } })
  b.trip()
  b.stop()
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal(probe.pending, 0)
  b.success()
  b.trip()
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal(probe.pending, 0, 'nor after it opens again')
})

t.test('a bad probe interval is refused', async (t) => {
  t.throws(
    () => new CircuitBreaker({ threshold: 1, probe: { check: async () => true, intervalMs: -1 } }),
    /probe\.intervalMs/,
  )
})
