import t from 'tap'
import { DeadlineExceededError, DeadlineSignal, withinDeadline } from '../src/index.js'

/** Blocks the event loop, as a burst of requests does on a loaded process. */
function busy(ms: number): void {
  const until = performance.now() + ms
  while (performance.now() < until) {
    // spin
  }
}

const never = () => new Promise<never>(() => undefined)

t.test('a settle that is already waiting when the timer fires wins', async (t) => {
  // Both timers are due when the loop comes back; the reply then settles after the timers phase (on
  // setImmediate), as a reply read from a socket does in the poll phase.
  const reply = new Promise<string>((resolve) => setTimeout(() => setImmediate(() => resolve('reply')), 0))
  const raced = withinDeadline(reply, 1, () => new Error('timeout'))
  busy(30)
  t.equal(await raced, 'reply')
})

t.test(
  'a promise that never settles still times out, with onTimeout’s error, given the bound in whole ms',
  async (t) => {
    const started = performance.now()
    let given = 0
    await t.rejects(
      withinDeadline(never(), 29.2, (ms) => {
        given = ms
        return new Error('timeout')
      }),
      { message: 'timeout' },
    )
    t.equal(given, 30)
    t.ok(performance.now() - started >= 29)
  },
)

t.test('without onTimeout a timeout resolves undefined (a wait that may give up)', async (t) => {
  t.equal(await withinDeadline(never(), 1), undefined)
})

t.test('the signal aborts with the timeout’s error, and onTimeout is not called when in time', async (t) => {
  const signal = new DeadlineSignal()
  let aborts = 0
  signal.on('abort', () => aborts++)
  const err = await withinDeadline(never(), 5, (ms) => new DeadlineExceededError(ms), signal).catch((e: unknown) => e)
  t.ok(err instanceof DeadlineExceededError)
  t.equal((err as DeadlineExceededError).deadlineMs, 5)
  t.match((err as Error).message, /within the 5 ms deadline/)
  t.equal(signal.aborted, true)
  t.equal(signal.reason, err)
  signal.abort(new Error('again'))
  t.equal(aborts, 1, 'aborted once')
  t.equal(signal.reason, err)

  const quiet = new DeadlineSignal()
  t.equal(await withinDeadline(Promise.resolve('ok'), 5, () => t.fail('onTimeout called') as never, quiet), 'ok')
  await new Promise((resolve) => setTimeout(resolve, 15))
  t.equal(quiet.aborted, false, 'work that settled in time is not aborted')
})

t.test('a signal without onTimeout still learns of the timeout', async (t) => {
  const signal = new DeadlineSignal()
  t.equal(await withinDeadline(never(), 1, undefined, signal), undefined)
  t.ok(signal.reason instanceof DeadlineExceededError)
})

t.test('a rejection rejects at once and aborts the signal with it (the other parts stop)', async (t) => {
  const signal = new DeadlineSignal()
  const failure = new Error('part failed')
  const started = performance.now()
  await t.rejects(
    withinDeadline(Promise.reject(failure), 1_000, () => new Error('timeout'), signal),
    failure,
  )
  t.ok(performance.now() - started < 500)
  t.equal(signal.reason, failure)
})

t.test('a signal takes any number of listeners (one per part in flight)', async (t) => {
  const signal = new DeadlineSignal()
  const warnings: unknown[] = []
  const onWarning = (w: unknown) => warnings.push(w)
  process.on('warning', onWarning)
  t.teardown(() => process.off('warning', onWarning))
  for (let i = 0; i < 50; i++) signal.on('abort', () => undefined)
  await new Promise((resolve) => setImmediate(resolve))
  t.same(warnings, [])
})
