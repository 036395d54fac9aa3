import { DeadlineExceededError, DeadlineSignal, withinDeadline, type CircuitBreaker } from '@guild/resilience'
import { PermissionUndecidedError } from './errors.js'
import { undecidedOf } from './undecided.js'

/** Inputs are validated before they are sent: every failure of an exchange counts against the service. */
const everyFailure = () => true
/** Made only when the deadline passes: an Error captures a stack, which every call would pay for. */
const expired = (ms: number) => new DeadlineExceededError(ms)
const rethrowUndecided = (err: unknown): never => {
  throw undecidedOf(err)
}

/**
 * Deadline, breaker and error mapping shared by every exchange with permission-service. Fails with a
 * PermissionUndecidedError only.
 */
export class ServiceExchange {
  #closed = false

  constructor(
    private readonly breaker: CircuitBreaker,
    readonly deadlineMs: number,
  ) {}

  /** From now on every exchange is undecided ('closed'), without being sent. */
  close(): void {
    this.#closed = true
  }

  /**
   * Runs `work` through the breaker, with a signal aborted when the deadline passes. The deadline
   * counts from `startedAt`, when the (oldest) caller asked, so time spent waiting to be sent is part of it.
   */
  run<T>(startedAt: number, work: (signal: DeadlineSignal) => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new PermissionUndecidedError('closed', 'the permission client is closed'))
    const left = Math.max(1, Math.ceil(this.deadlineMs - (performance.now() - startedAt)))
    return this.breaker
      .run(() => {
        const signal = new DeadlineSignal()
        return withinDeadline(work(signal), left, expired, signal)
      }, everyFailure)
      .then(undefined, rethrowUndecided)
  }
}
