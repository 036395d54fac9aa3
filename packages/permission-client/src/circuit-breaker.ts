export type BreakerState = 'closed' | 'open' | 'half-open'

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  threshold: number
  /** How long the circuit stays open before one trial call may pass. */
  resetMs: number
  /** Clock, for tests; defaults to `Date.now`. */
  now?: () => number
  onStateChange?: (from: BreakerState, to: BreakerState) => void
}

/** Thrown by `run` while the circuit is open or a half-open trial is already in flight. */
export class CircuitOpenError extends Error {
  constructor(readonly retryInMs: number) {
    super(`circuit open: calls fail at once for about ${Math.max(0, Math.ceil(retryInMs))} ms more`)
    this.name = 'CircuitOpenError'
  }
}

/**
 * A small consecutive-failure breaker. It is small on purpose: opossum 10 needs Node >= 22 and
 * this project runs on Node 20. Time is read lazily on each call, so an idle breaker holds no timer.
 */
export class CircuitBreaker {
  readonly #threshold: number
  readonly #resetMs: number
  readonly #now: () => number
  readonly #onStateChange: ((from: BreakerState, to: BreakerState) => void) | undefined
  #state: BreakerState = 'closed'
  #failures = 0
  #openedAt = 0
  #trialInFlight = false

  constructor(options: CircuitBreakerOptions) {
    if (!Number.isInteger(options.threshold) || options.threshold < 1) {
      throw new RangeError(`circuit breaker threshold must be an integer >= 1, got ${String(options.threshold)}`)
    }
    if (!Number.isFinite(options.resetMs) || options.resetMs < 0) {
      throw new RangeError(`circuit breaker resetMs must be a finite number >= 0, got ${String(options.resetMs)}`)
    }
    this.#threshold = options.threshold
    this.#resetMs = options.resetMs
    this.#now = options.now ?? Date.now
    this.#onStateChange = options.onStateChange
  }

  get state(): BreakerState {
    return this.#state
  }

  get consecutiveFailures(): number {
    return this.#failures
  }

  /**
   * Runs `fn` unless the circuit is open. `isFailure` says which errors count against the
   * service; any other settled outcome proves it answered and closes the circuit.
   */
  async run<T>(fn: () => Promise<T>, isFailure: (err: unknown) => boolean): Promise<T> {
    const trial = this.#admit()
    let result: T
    try {
      result = await fn()
    } catch (err) {
      if (isFailure(err)) this.#recordFailure(trial)
      else this.#recordSuccess(trial)
      throw err
    }
    this.#recordSuccess(trial)
    return result
  }

  /** Returns whether this call is the half-open trial; throws when it may not pass. */
  #admit(): boolean {
    if (this.#state === 'closed') return false
    const elapsed = this.#now() - this.#openedAt
    if (this.#state === 'open' && elapsed >= this.#resetMs) {
      this.#transition('half-open')
    }
    // Exactly one trial decides, so a recovering service is not hit by the whole backlog at once.
    if (this.#state === 'half-open' && !this.#trialInFlight) {
      this.#trialInFlight = true
      return true
    }
    throw new CircuitOpenError(this.#resetMs - elapsed)
  }

  #recordSuccess(trial: boolean): void {
    if (trial) this.#trialInFlight = false
    this.#failures = 0
    if (this.#state !== 'closed' && (trial || this.#state === 'open')) {
      // A call admitted while closed can finish after the circuit opened: it still proves the
      // service answered, so it may close the circuit too.
      this.#transition('closed')
    }
  }

  #recordFailure(trial: boolean): void {
    if (trial) this.#trialInFlight = false
    this.#failures++
    if (trial || (this.#state === 'closed' && this.#failures >= this.#threshold)) {
      this.#openedAt = this.#now()
      this.#transition('open')
    }
  }

  #transition(to: BreakerState): void {
    const from = this.#state
    if (from === to) return
    this.#state = to
    this.#onStateChange?.(from, to)
  }
}
