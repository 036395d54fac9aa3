/**
 * Why a permission check could not be decided. Each one maps to 503 for guild-api's caller:
 * a request is never let through unchecked.
 */
export type UndecidedReason =
  | 'timeout'
  | 'unreachable'
  | 'server-error'
  | 'unauthorized'
  | 'rejected'
  | 'malformed-answer'
  | 'circuit-open'
  | 'closed'

/** Base class, so that a caller can catch every error this package throws in one clause. */
export abstract class PermissionError extends Error {
  abstract readonly statusCode: number
  abstract readonly code: string
}

/** permission-service answered, and the answer is no. guild-api answers 403. */
export class PermissionDeniedError extends PermissionError {
  readonly statusCode = 403
  readonly code = 'PERMISSION_DENIED'

  constructor(
    readonly guildId: number,
    readonly bnetId: number,
    readonly tool: string,
  ) {
    super(`tool '${tool}' is not allowed for this user in guild ${guildId}`)
    this.name = 'PermissionDeniedError'
  }
}

/**
 * No answer could be established (timeout, unreachable, 5xx, 401, garbage, circuit open).
 * Never a default allow: guild-api answers 503.
 */
export class PermissionUndecidedError extends PermissionError {
  readonly statusCode = 503
  readonly code = 'PERMISSION_UNDECIDED'

  constructor(
    readonly reason: UndecidedReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`permission check undecided (${reason}): ${message}`, options)
    this.name = 'PermissionUndecidedError'
  }
}

/** The caller passed an id or tool that permission-service would reject; guild-api answers 400. */
export class PermissionInputError extends PermissionError {
  readonly statusCode = 400
  readonly code = 'PERMISSION_INPUT_INVALID'

  constructor(message: string) {
    super(message)
    this.name = 'PermissionInputError'
  }
}

export function isPermissionDenied(err: unknown): err is PermissionDeniedError {
  return err instanceof PermissionDeniedError
}

export function isPermissionUndecided(err: unknown): err is PermissionUndecidedError {
  return err instanceof PermissionUndecidedError
}
