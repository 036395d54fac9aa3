/**
 * The answer could not be established (database unreachable or slow, schema not there yet, nothing
 * cached). The route answers 503: never a guess, never a default allow.
 */
export class CheckUndecidedError extends Error {
  readonly statusCode = 503
  readonly code = 'PERMISSION_UNDECIDED'

  constructor(
    readonly reason: 'database' | 'timeout' | 'schema-not-ready' | 'closed',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'CheckUndecidedError'
  }
}
