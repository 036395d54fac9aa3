import { parseInvocation, USAGE, type Env } from './args.js'
import { get, ttl } from './commands/inspect.js'
import { purge } from './commands/purge.js'
import { stats } from './commands/stats.js'
import { warm } from './commands/warm.js'
import { watch } from './commands/watch.js'
import { CliContext } from './context.js'
import { CliError, reasonOf, UsageError } from './errors.js'
import { Output, type Io } from './output.js'

const commands: Record<string, (ctx: CliContext, signal: AbortSignal) => Promise<void>> = {
  stats,
  get,
  ttl,
  purge,
  warm,
  watch,
}

/**
 * Runs one invocation and resolves its exit code: 0 done, 1 failed (Redis unreachable, a bad URL, a
 * service refusing), 2 bad usage. Errors are one line on stderr (and a JSON document with --json).
 */
/** Rejects on Ctrl-C: a command other than watch stops where it is (its connections are closed). */
function interruption(signal: AbortSignal): Promise<never> {
  const interrupted = new Promise<never>((_, reject) => {
    if (signal.aborted) reject(new CliError('interrupted', 130))
    signal.addEventListener('abort', () => reject(new CliError('interrupted', 130)), { once: true })
  })
  interrupted.catch(() => {})
  return interrupted
}

export async function run(argv: readonly string[], io: Io, env: Env, signal: AbortSignal): Promise<number> {
  let json = argv.includes('--json')
  let ctx: CliContext | undefined
  try {
    const inv = parseInvocation(argv, env)
    json = inv.json
    if (inv.help || inv.command === 'help') {
      io.stdout.write(USAGE)
      return 0
    }
    if (inv.command === undefined) throw new UsageError('no command given; see guild-cache --help')
    const command = commands[inv.command]
    if (!command)
      throw new UsageError(
        `unknown command ${JSON.stringify(inv.command)}; commands: ${Object.keys(commands).join(', ')}`,
      )
    ctx = new CliContext(inv, new Output(inv.json, io), env)
    if (inv.command === 'watch') await command(ctx, signal)
    else await Promise.race([command(ctx, signal), interruption(signal)])
    return 0
  } catch (err) {
    const cliError = err instanceof CliError ? err : new CliError(`unexpected failure: ${reasonOf(err)}`)
    io.stderr.write(`guild-cache: ${cliError.message}\n`)
    if (json) io.stdout.write(`${JSON.stringify({ error: cliError.message, exitCode: cliError.exitCode })}\n`)
    return cliError.exitCode
  } finally {
    await ctx?.close()
  }
}
