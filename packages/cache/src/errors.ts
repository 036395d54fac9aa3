/** A caller passed something the cache refuses before touching Redis: a bad key, id, tool, TTL or value. */
export class CacheInputError extends TypeError {
  readonly code = 'CACHE_INPUT_INVALID'

  constructor(message: string) {
    super(message)
    this.name = 'CacheInputError'
  }
}

/**
 * Raised internally when a Redis step cannot be used (disabled, breaker open, timed out, failed). Never reaches
 * callers.
 */
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

/**
 * A loader that did not answer within the hard timeout (`timeouts.hard`) while no stale copy could answer
 * instead. The loader is not awaited any more; if it does finish, its value is still stored.
 */
export class LoaderTimeoutError extends Error {
  readonly code = 'CACHE_LOADER_TIMEOUT'

  constructor(
    readonly key: string,
    readonly timeoutMs: number,
  ) {
    super(`cache loader for ${key} did not answer within ${timeoutMs} ms`)
    this.name = 'LoaderTimeoutError'
  }
}
