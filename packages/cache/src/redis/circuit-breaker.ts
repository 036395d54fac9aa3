/**
 * Opens after `threshold` consecutive Redis failures so that, while Redis is gone or hanging, a cache
 * call costs nothing instead of a timeout each. While open, `probe` runs in the background every
 * `probeIntervalMs`; the first success closes the breaker, so caching resumes without a restart.
 */
export interface BreakerOptions {
  threshold: number
  probeIntervalMs: number
  probe: () => Promise<boolean>
  onChange?: (open: boolean) => void
}

export class RedisCircuitBreaker {
  #failures = 0
  #open = false
  #timer: NodeJS.Timeout | undefined
  #closed = false

  constructor(private readonly options: BreakerOptions) {}

  get isOpen(): boolean {
    return this.#open
  }

  success(): void {
    this.#failures = 0
    if (this.#open) this.#setOpen(false)
  }

  failure(): void {
    this.#failures++
    if (!this.#open && this.#failures >= this.options.threshold) this.#setOpen(true)
  }

  /** Trips at once, e.g. when the connection reports it is gone: no need to pay `threshold` failures first. */
  trip(): void {
    this.#failures = Math.max(this.#failures, this.options.threshold)
    if (!this.#open) this.#setOpen(true)
  }

  close(): void {
    this.#closed = true
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = undefined
  }

  #setOpen(open: boolean): void {
    this.#open = open
    this.options.onChange?.(open)
    if (open) this.#scheduleProbe()
    else if (this.#timer) {
      clearTimeout(this.#timer)
      this.#timer = undefined
    }
  }

  #scheduleProbe(): void {
    if (this.#closed || this.#timer) return
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      void this.options.probe().then(
        (ok) => (ok ? this.success() : this.#scheduleProbe()),
        () => this.#scheduleProbe(),
      )
    }, this.options.probeIntervalMs)
    // A probe must never keep a process alive on its own.
    this.#timer.unref()
  }
}
