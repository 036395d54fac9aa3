import { existsSync } from 'node:fs'
import type { Writable } from 'node:stream'
import { parseArgs } from 'node:util'
import { randomBytes } from 'node:crypto'
import { OWN_DIR, OWN_EXT, REPO_ROOT } from '../paths.js'
import { PortConfigError } from '../port-env.js'
import { portInUse } from '../port-free.js'
import {
  buildLaunchPlan,
  type ChildName,
  type ChildSpec,
  LaunchConfigError,
  type LaunchPlan,
  parseServicesOption,
} from './plan.js'
import { type ChildExit, type SupervisedChild, Supervisor } from './supervisor.js'
import { waitUntilReady } from './wait-ready.js'

export interface RunOptions {
  argv: string[]
  env: NodeJS.ProcessEnv
  out: Writable
  err: Writable
  readyTimeoutMs?: number
  stopTimeoutMs?: number
}

const HELP = `Usage: npm start [-- --services <list>]

Runs guild-api, permission-service, the web app and, when DATABASE_URL / BNET_CLIENT_ID are unset, the embedded
Postgres and the Battle.net stand-in, in the foreground. Ctrl-C stops them all.

  --services <list>  run only these, comma-separated: embedded-postgres, bnet-standin,
                     permission-service, guild-api, web (each still gets the environment of a full run)
`

const TITLES: Record<ChildName, string> = {
  'embedded-postgres': 'embedded Postgres',
  'bnet-standin': 'Battle.net stand-in',
  'permission-service': 'permission-service',
  'guild-api': 'guild-api',
  web: 'web app',
}

const describeExit = (exit: ChildExit): string => (exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`)

/** The plan, or a message saying which option or variable to fix. */
function plan(options: RunOptions): LaunchPlan | { problem: string; help?: true } {
  try {
    const { values } = parseArgs({
      args: options.argv,
      options: { services: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    })
    if (values.help) return { problem: HELP, help: true }
    return buildLaunchPlan(options.env, {
      ownDir: OWN_DIR,
      ext: OWN_EXT,
      repoRoot: REPO_ROOT,
      only: values.services === undefined ? undefined : parseServicesOption(values.services),
      newServiceToken: () => randomBytes(32).toString('base64url'),
    })
  } catch (err) {
    if (err instanceof LaunchConfigError || err instanceof PortConfigError) return { problem: err.message }
    if ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))
      return { problem: `${(err as Error).message}\n${HELP}` }
    throw err
  }
}

/** Why the plan cannot start: entry files not built, ports taken or shared. Empty when it can. */
export async function preflight(children: ChildSpec[]): Promise<string[]> {
  const problems: string[] = []
  for (const child of children) {
    if (!existsSync(child.script)) {
      problems.push(`${child.name}: ${child.script} does not exist; build first with "npm run build" (npm start does)`)
    }
  }
  const seen = new Map<number, ChildSpec>()
  for (const child of children) {
    const other = seen.get(child.port)
    if (other) {
      problems.push(`${other.portVariable} and ${child.portVariable} are both ${child.port}: give each its own port`)
      continue
    }
    seen.set(child.port, child)
    if (await portInUse(child.host, child.port)) {
      problems.push(
        `port ${child.port} on ${child.host} (for ${child.name}) is already in use: ` +
          `stop what listens there or set ${child.portVariable} to a free port`,
      )
    }
  }
  return problems
}

/** Runs the plan in the foreground until a signal or a child's unexpected exit; answers the exit code. */
export async function runLauncher(options: RunOptions): Promise<number> {
  const planned = plan(options)
  if ('problem' in planned) {
    options[planned.help ? 'out' : 'err'].write(planned.help ? planned.problem : `start: ${planned.problem}\n`)
    return planned.help ? 0 : 2
  }
  const problems = await preflight(planned.children)
  if (problems.length > 0) {
    for (const problem of problems) options.err.write(`start: ${problem}\n`)
    return 1
  }

  const readyTimeoutMs = options.readyTimeoutMs ?? 120_000
  const stopTimeoutMs = options.stopTimeoutMs ?? 20_000
  const started: SupervisedChild[] = []
  const startAbort = new AbortController()
  let finish!: (code: number) => void
  const done = new Promise<number>((resolve) => (finish = resolve))
  let shuttingDown = false

  const shutdown = async (code: number, reason: string, stream: 'out' | 'err'): Promise<void> => {
    if (shuttingDown) return
    shuttingDown = true
    startAbort.abort(new Error(reason))
    supervisor.say(reason, stream)
    // Services first (guild-api before the permission-service it calls), the database last.
    const killed = await supervisor.stopInOrder([...started].reverse(), stopTimeoutMs)
    if (killed.length > 0) {
      supervisor.say(`${killed.join(', ')} did not stop within ${stopTimeoutMs / 1000} s and had to be killed`, 'err')
      code ||= 1
    }
    supervisor.say('everything is stopped')
    finish(code)
  }

  const supervisor = new Supervisor(
    {
      out: options.out,
      err: options.err,
      onUnexpectedExit: (child, exit) =>
        void shutdown(1, `${child.name} exited unexpectedly (${describeExit(exit)}); stopping the rest`, 'err'),
    },
    planned.children.map((child) => child.name),
  )
  let firstSignalAt = 0
  const onSignal = (signal: NodeJS.Signals) => {
    if (!shuttingDown) {
      firstSignalAt = Date.now()
      void shutdown(0, `${signal}: stopping everything (again to kill at once)`, 'out')
      return
    }
    // One Ctrl-C can arrive twice (from the terminal, and forwarded by npm); only a later one forces.
    if (Date.now() - firstSignalAt < 1000) return
    supervisor.say(`${signal} again: killing everything`, 'err')
    supervisor.killAll()
    finish(130)
  }
  const onExit = () => supervisor.killAll()
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  process.on('exit', onExit)

  try {
    for (const stage of [0, 1] as const) {
      // A signal while an earlier stage was coming up: start nothing more.
      if (shuttingDown) break
      const specs = planned.children.filter((child) => child.stage === stage)
      await Promise.all(
        specs.map(async (spec) => {
          const child = supervisor.spawn(spec.name, spec.script, spec.env)
          started.push(child)
          const gone = new AbortController()
          void child.exited.then(() => gone.abort(new Error(`${spec.name} exited before it was ready`)))
          const t0 = Date.now()
          await waitUntilReady(spec.name, spec.ready, {
            timeoutMs: readyTimeoutMs,
            signal: AbortSignal.any([startAbort.signal, gone.signal]),
          })
          supervisor.say(`${spec.name} is ready (${((Date.now() - t0) / 1000).toFixed(1)} s)`)
        }),
      )
    }
    if (!shuttingDown) printReady(supervisor, planned)
  } catch (err) {
    if (!shuttingDown) void shutdown(1, `${(err as Error).message}; stopping the rest`, 'err')
  }

  const code = await done
  process.off('SIGINT', onSignal)
  process.off('SIGTERM', onSignal)
  process.off('exit', onExit)
  return code
}

function printReady(supervisor: Supervisor, planned: LaunchPlan): void {
  const width = Math.max(...planned.children.map((child) => TITLES[child.name].length))
  supervisor.say('all ready:')
  for (const child of planned.children) supervisor.say(`  ${TITLES[child.name].padEnd(width)}  ${child.url}`)
  for (const login of planned.loginUrls) supervisor.say(`${login.label}: ${login.url}`)
  if (planned.appUrl !== undefined) supervisor.say(`open the app: ${planned.appUrl}`)
  supervisor.say('Ctrl-C stops everything.')
}
