/** A command line the bench cannot run: its message is all the user needs (no stack). */
export class UsageError extends Error {
  override name = 'UsageError'
}

/** How a bench command reports a failure: a usage error by its message, anything else with its stack. */
export function reportFailure(err: unknown): void {
  console.error(err instanceof UsageError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err))
  process.exitCode = 1
}

/** A `--name value` or `--name=value` option; undefined when absent. */
export function option(args: readonly string[], name: string): string | undefined {
  const inline = args.find((a) => a.startsWith(`--${name}=`))
  if (inline !== undefined) return inline.slice(name.length + 3)
  const i = args.indexOf(`--${name}`)
  if (i === -1) return undefined
  const value = args[i + 1]
  if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`)
  return value
}

/**
 * The `--only a,b` names, each one of `known`; undefined without `--only` (run them all). An unknown or
 * misspelt name is an error rather than a run that measures nothing and still writes its results.
 */
export function onlyOf(args: readonly string[], known: readonly string[]): Set<string> | undefined {
  const raw = option(args, 'only')
  if (raw === undefined) return undefined
  const names = raw.split(',').map((n) => n.trim()).filter((n) => n !== '')
  if (names.length === 0) throw new UsageError(`--only needs one or more of ${known.join(', ')}`)
  for (const name of names) if (!known.includes(name)) throw new UsageError(`--only: ${name} is not one of ${known.join(', ')}`)
  return new Set(names)
}

/** A positive integer option (`--rounds 8`), or `fallback` when absent. */
export function positiveOption(args: readonly string[], name: string, fallback: number): number {
  const text = option(args, name)
  if (text === undefined) return fallback
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer, got ${text}`)
  return n
}
