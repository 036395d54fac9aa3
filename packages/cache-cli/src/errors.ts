/**
 * A failure the CLI reports as one line and exit code 1 (2 for a usage error, 130 for Ctrl-C): no stack trace for a
 * person to read.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 | 130 = 1,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'CliError'
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2)
    this.name = 'UsageError'
  }
}

/** The message of whatever was thrown, for a one-line report. */
export function reasonOf(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return reasonOf(err.errors[0])
  if (err instanceof Error) return err.message || err.name
  return String(err)
}
