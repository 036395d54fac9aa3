import { EventEmitter } from 'node:events'

/** A deadline passed (the permission client turns it into an undecided 'timeout'). */
export class DeadlineExceededError extends Error {
  constructor(readonly deadlineMs: number) {
    super(`no answer within the ${deadlineMs} ms deadline`)
    this.name = 'DeadlineExceededError'
  }
}

/**
 * What a piece of work under a deadline watches: aborted, with a reason, when its deadline passes or
 * one of its parts failed. undici takes it as a request's `signal` (it accepts an EventEmitter that
 * emits 'abort', as its docs say). An AbortController with undici's listener on it cost many times
 * more an exchange, a visible share of the permission hop (figures: docs/performance.md).
 */
export class DeadlineSignal extends EventEmitter {
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
 * Settles as `promise` does, or, `ms` after the call, rejects with `onTimeout(ms)` (or resolves
 * undefined without it). Either way it settles by then, whatever `promise` does: undici, for one,
 * only honours an abort once a queued request reaches a socket.
 *
 * The timeout is decided on `setImmediate` after the timer fires: a busy event loop runs due timers
 * before it reads the sockets, so a reply that arrived in time would otherwise lose to its own timer.
 * The service was not slow then, the process was; one that really hangs still times out, one loop
 * turn later.
 *
 * `signal`, when given, is aborted with the timeout's error or with `promise`'s rejection, so that the
 * work behind `promise` (its other parts, its sockets) stops too. `onTimeout` is called only when the
 * deadline passes: an Error captures a stack, which every call would otherwise pay for. A late settle
 * of `promise` is dropped.
 */
export function withinDeadline<T>(
  promise: Promise<T>,
  ms: number,
  onTimeout?: (ms: number) => Error,
  signal?: DeadlineSignal,
): Promise<T> {
  // Whole milliseconds up: libuv truncates a timer's delay, which would give up before the bound.
  const boundMs = Math.max(0, Math.ceil(ms))
  return new Promise<T>((resolve, reject) => {
    let immediate: NodeJS.Immediate | undefined
    const timer = setTimeout(() => {
      immediate = setImmediate(() => {
        const expired = onTimeout?.(boundMs)
        signal?.abort(expired ?? new DeadlineExceededError(boundMs))
        if (expired) reject(expired)
        else resolve(undefined as T)
      })
    }, boundMs)
    promise.then(
      (value) => {
        clearTimeout(timer)
        if (immediate) clearImmediate(immediate)
        resolve(value)
      },
      (err: unknown) => {
        clearTimeout(timer)
        if (immediate) clearImmediate(immediate)
        // One failed part (a batch chunk) decides the whole: stop the parts still in flight.
        signal?.abort(err)
        /* eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
           -- the work's own rejection, passed on unchanged */
        reject(err)
      },
    )
  })
}
