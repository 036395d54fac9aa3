import { parseArgs } from 'node:util'

/** A command line a run cannot take: its message is all the user needs (no stack). */
export class UsageError extends Error {
  override name = 'UsageError'
}

/** How a run reports a failure: a usage error by its message, anything else with its stack; exit code 1. */
export function reportFailure(err: unknown): void {
  console.error(
    err instanceof UsageError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err),
  )
  process.exitCode = 1
}

type OptionSpec = Record<string, { type: 'string' } | { type: 'boolean' }>
type Values<T extends OptionSpec> = { [K in keyof T]?: T[K] extends { type: 'boolean' } ? boolean : string }

/**
 * The options a run takes, read by node's own `parseArgs` (`--name value` or `--name=value`), strictly: an
 * option it does not know, a missing value or a stray argument is a UsageError with parseArgs' message.
 */
export function runOptions<T extends OptionSpec>(args: readonly string[], options: T): Values<T> {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false }).values
  } catch (err) {
    if (
      typeof (err as { code?: unknown }).code === 'string' &&
      (err as { code: string }).code.startsWith('ERR_PARSE_ARGS_')
    ) {
      throw new UsageError((err as Error).message, { cause: err })
    }
    throw err
  }
}

/**
 * The `--only a,b` names, each one of `known`; undefined without `--only` (run them all). An unknown or
 * misspelt name is an error rather than a run that measures nothing and still writes its results.
 */
export function onlyOf(raw: string | undefined, known: readonly string[]): Set<string> | undefined {
  if (raw === undefined) return undefined
  const names = raw
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '')
  if (names.length === 0) throw new UsageError(`--only needs one or more of ${known.join(', ')}`)
  for (const name of names)
    if (!known.includes(name)) throw new UsageError(`--only: ${name} is not one of ${known.join(', ')}`)
  return new Set(names)
}

/** A positive integer option's value (`--rounds 8`), or `fallback` when it was not given. */
export function positiveOption(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined) return fallback
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer, got ${text}`)
  return n
}
