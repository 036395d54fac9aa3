/** A bad `createDb` option or environment value; the message names the variable or option to fix. */
export class DatabaseConfigError extends Error {
  override readonly name = 'DatabaseConfigError'
  constructor(
    message: string,
    /** The environment variable or option at fault, e.g. `DATABASE_URL`. */
    readonly field: string,
  ) {
    super(message)
  }
}

/** A permission check item that breaks the contract (bad id or tool). Refused before any query runs. */
export class InvalidPermissionCheckError extends Error {
  override readonly name = 'InvalidPermissionCheckError'
  constructor(
    message: string,
    /** The offending field, e.g. `items[3].guildId` (or `guild_id` style names are the caller's to map). */
    readonly field: string,
  ) {
    super(message)
  }
}

/**
 * The permission query could not be answered (database unreachable, timed out, …). The caller must
 * not guess an answer: permission-service turns this into 503.
 */
export class PermissionQueryError extends Error {
  override readonly name = 'PermissionQueryError'
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
  }
}

/** `migrate()` failed; the transaction was rolled back, so the schema is as it was before. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError'
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
  }
}

/** `waitForSchema()` gave up: the committed migrations were not all applied in time. */
export class SchemaNotReadyError extends Error {
  override readonly name = 'SchemaNotReadyError'
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
  }
}

/** The message of an unknown thrown value, for wrapping it in one of ours. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code
    return typeof code === 'string' && !error.message.includes(code) ? `${error.message} (${code})` : error.message
  }
  return String(error)
}
