import { EventEmitter } from 'node:events'

/** Raised when a call's deadline passes; the client turns it into an undecided 'timeout'. */
export class DeadlineExceededError extends Error {
  constructor(readonly deadlineMs: number) {
    super(`no answer within the ${deadlineMs} ms deadline`)
    this.name = 'DeadlineExceededError'
  }
}

/**
 * What an exchange's work watches: aborted, with a reason, when its deadline passes or one of its parts
 * failed. undici takes it as a request's `signal` (it accepts an EventEmitter that emits 'abort', as its
 * docs say). An AbortController with undici's listener on it cost ~5 µs an exchange, this ~0.2: on a
 * guild-api request that is a tenth of the permission hop.
 */
export class ExchangeSignal extends EventEmitter {
  aborted = false
  reason: unknown = undefined

  constructor() {
    super()
    // One listener per part in flight: a checkMany of more than 1,000 items has more than ten.
    this.setMaxListeners(0)
  }

  abort(reason: unknown): void {
    if (this.aborted) return
    this.aborted = true
    this.reason = reason
    this.emit('abort')
  }
}

/**
 * Runs `work` with a signal that aborts after `deadlineMs`, and settles by then whatever `work`
 * does. The race matters: undici only honours an abort once a queued request reaches a socket,
 * so a request stuck behind a full pool would otherwise outlive its deadline.
 */
export async function withDeadline<T>(deadlineMs: number, work: (signal: ExchangeSignal) => Promise<T>): Promise<T> {
  const signal = new ExchangeSignal()
  let timer: NodeJS.Timeout | undefined
  try {
    return await new Promise<T>((resolve, reject) => {
      timer = setTimeout(() => {
        // Made only when it happens: an Error captures a stack, which every call would pay for.
        const expired = new DeadlineExceededError(deadlineMs)
        signal.abort(expired)
        reject(expired)
      }, deadlineMs)
      // A late settle of `work` lands on an already-settled promise and is dropped; undici
      // still releases the socket and body because the signal aborted them.
      work(signal).then(resolve, (err: unknown) => {
        // One failed part (a batch chunk) decides the call: stop the parts still in flight.
        signal.abort(err)
        reject(err)
      })
    })
  } finally {
    clearTimeout(timer)
  }
}
