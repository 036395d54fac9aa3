/** A caller passed something the cache refuses before touching Redis: a bad key, id, tool, TTL or value. */
export class CacheInputError extends TypeError {
  readonly code = 'CACHE_INPUT_INVALID'

  constructor(message: string) {
    super(message)
    this.name = 'CacheInputError'
  }
}

/** Raised internally when a Redis step cannot be used (disabled, breaker open, timed out, failed). Never reaches callers. */
export class CacheUnavailableError extends Error {
  readonly code = 'CACHE_UNAVAILABLE'
  /** A timeout judged this long after its bound: the process was busy that long, not (only) Redis slow. */
  overrunMs = 0

  constructor(
    readonly reason: 'disabled' | 'breaker-open' | 'timeout' | 'connecting' | 'closed' | 'failed',
    options?: { cause?: unknown },
  ) {
    super(`redis unavailable (${reason})`, options)
    this.name = 'CacheUnavailableError'
  }
}
