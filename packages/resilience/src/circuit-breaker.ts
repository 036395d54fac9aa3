export type BreakerState = 'closed' | 'open' | 'half-open'

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  threshold: number
  /**
   * How long the circuit stays open before one trial call of `run` may pass (half-open). Without it,
   * no call passes an open circuit: only `probe` or a `success()` reported by the caller closes it.
   */
  resetMs?: number
  /**
   * Asked every `intervalMs` while the circuit is open; the first `true` closes it. For a caller whose
   * calls must not be the trial (the cache: a call that waits out a timeout is the cost it avoids).
   */
  probe?: { check: () => Promise<boolean>; intervalMs: number }
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
 * this project runs on Node 20. Time is read lazily on each call, so an idle breaker holds no timer;
 * only a breaker with a `probe` holds one, and only while open (unref'd: it never keeps a process alive).
 *
 * A caller either hands its calls to `run`, or checks `isOpen` and reports `success()`/`failure()`.
 */
export class CircuitBreaker {
  readonly #threshold: number
  readonly #resetMs: number
  readonly #probe: CircuitBreakerOptions['probe']
  readonly #now: () => number
  readonly #onStateChange: ((from: BreakerState, to: BreakerState) => void) | undefined
  #state: BreakerState = 'closed'
  #failures = 0
  #openedAt = 0
  #trialInFlight = false
  #probeTimer: NodeJS.Timeout | undefined
  #stopped = false

  constructor(options: CircuitBreakerOptions) {
    if (!Number.isInteger(options.threshold) || options.threshold < 1) {
      throw new RangeError(`circuit breaker threshold must be an integer >= 1, got ${String(options.threshold)}`)
    }
    if (options.resetMs !== undefined && (!Number.isFinite(options.resetMs) || options.resetMs < 0)) {
      throw new RangeError(`circuit breaker resetMs must be a finite number >= 0, got ${String(options.resetMs)}`)
    }
    if (options.probe !== undefined && (!Number.isFinite(options.probe.intervalMs) || options.probe.intervalMs < 0)) {
      throw new RangeError(
        `circuit breaker probe.intervalMs must be a finite number >= 0, got ${String(options.probe.intervalMs)}`,
      )
    }
    this.#threshold = options.threshold
    this.#resetMs = options.resetMs ?? Infinity
    this.#probe = options.probe
    this.#now = options.now ?? Date.now
    this.#onStateChange = options.onStateChange
  }

  get state(): BreakerState {
    return this.#state
  }

  /** Not closed: calls fail at once (or only a trial passes). */
  get isOpen(): boolean {
    return this.#state !== 'closed'
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

  /** The service answered (for a caller that does not use `run`). */
  success(): void {
    this.#recordSuccess(false)
  }

  /** The service failed a call (for a caller that does not use `run`). */
  failure(): void {
    this.#recordFailure(false)
  }

  /** Opens at once, e.g. when the connection reports it is gone: no need to pay `threshold` failures first. */
  trip(): void {
    this.#failures = Math.max(this.#failures, this.#threshold)
    if (this.#state !== 'open') this.#open()
  }

  /** Stops probing, for good (the owner is closing). */
  stop(): void {
    this.#stopped = true
    clearTimeout(this.#probeTimer)
    this.#probeTimer = undefined
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
    if (trial || (this.#state === 'closed' && this.#failures >= this.#threshold)) this.#open()
  }

  #open(): void {
    this.#openedAt = this.#now()
    this.#transition('open')
    this.#scheduleProbe()
  }

  #transition(to: BreakerState): void {
    const from = this.#state
    if (from === to) return
    this.#state = to
    if (to === 'closed') {
      clearTimeout(this.#probeTimer)
      this.#probeTimer = undefined
    }
    this.#onStateChange?.(from, to)
  }

  #scheduleProbe(): void {
    const probe = this.#probe
    if (probe === undefined || this.#stopped || this.#probeTimer !== undefined) return
    this.#probeTimer = setTimeout(() => {
      this.#probeTimer = undefined
      const again = () => {
        if (this.#state !== 'closed') this.#scheduleProbe()
      }
      probe.check().then((ok) => (ok ? this.success() : again()), again)
    }, probe.intervalMs)
    this.#probeTimer.unref()
  }
}
