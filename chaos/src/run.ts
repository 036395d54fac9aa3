import { existsSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { onlyOf, runOptions, UsageError } from '@guild/testing'
import { bnetStandinServer, guildApiServer, permissionServer } from './paths.js'
import { markdown, writeReport, type ChaosReport } from './report.js'
import type { FaultFigures, RunConditions } from './scenarios/figures.js'
import { permissionServiceKilled } from './scenarios/permission-service-killed.js'
import { postgresStopped } from './scenarios/postgres-stopped.js'
import { redisHanging, redisKilled } from './scenarios/redis-faults.js'
import { revocationRace, type RaceReport } from './scenarios/revocation-race.js'
import { startOwnPostgres, type OwnPostgres } from './system/own-postgres.js'

/**
 * `npm run chaos [-- --quick] [-- --only redis_killed,postgres_stopped,permission_service_killed,redis_hanging,race]`:
 * the system under faults and the revocation race, each on the suite's own Redis and Postgres,
 * written to chaos/results/latest.json and printed as Markdown.
 */
const FAULTS: Record<string, (pg: OwnPostgres, quick: boolean) => Promise<FaultFigures>> = {
  redis_killed: redisKilled,
  postgres_stopped: postgresStopped,
  permission_service_killed: permissionServiceKilled,
  redis_hanging: redisHanging,
}

function commandLine(): { quick: boolean; only: Set<string> | undefined } {
  try {
    const options = runOptions(process.argv.slice(2), { quick: { type: 'boolean' }, only: { type: 'string' } })
    return { quick: options.quick === true, only: onlyOf(options.only, [...Object.keys(FAULTS), 'race']) }
  } catch (err) {
    if (!(err instanceof UsageError)) throw err
    console.error(err.message)
    process.exit(2)
  }
}
const { quick, only } = commandLine()
const wanted = (name: string) => !only || only.has(name)
// Ctrl-C: exit through 'exit', whose handlers stop the servers this run started (Postgres, Redis, services).
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130))
const log = (line: string) => console.error(`[chaos] ${line}`)

async function main(): Promise<void> {
  for (const file of [guildApiServer, permissionServer, bnetStandinServer]) {
    if (!existsSync(file)) throw new Error(`${file} is not built: run \`npm run build\` first (npm run chaos does)`)
  }
  const pg = await startOwnPostgres()
  log(`own Postgres on port ${pg.port}`)
  const faults: Record<string, FaultFigures> = {}
  let race: RaceReport | undefined
  const lag = monitorEventLoopDelay({ resolution: 10 })
  lag.enable()
  // The runner's timestamps are only as good as its event loop: a stall (a busy machine) shows here.
  const conditions = (): RunConditions => {
    const c = {
      runner_max_lag_ms: Math.round(lag.max / 1e6),
      load_average: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    }
    lag.reset()
    return c
  }
  try {
    for (const [name, scenario] of Object.entries(FAULTS)) {
      if (!wanted(name)) continue
      const started = Date.now()
      lag.reset()
      faults[name] = { ...(await scenario(pg, quick)), conditions: conditions() }
      const failed = faults[name].invariants.filter((i) => !i.ok)
      log(
        `${name}: ${((Date.now() - started) / 1000).toFixed(1)} s, ` +
          `${failed.length === 0 ? 'every check held' : `failed: ${failed.map((i) => i.check).join('; ')}`}`,
      )
    }
    if (wanted('race')) {
      lag.reset()
      race = { ...(await revocationRace(pg, quick, log)), conditions: conditions() }
    }
  } finally {
    lag.disable()
    await pg.destroy()
  }
  const ok =
    Object.values(faults).every((f) => f.invariants.every((i) => i.ok)) &&
    (race === undefined ||
      [race.permissions, race.sync].every((r) => r.stale_allows_after_answer === 0 && r.failed_changes === 0))
  const report: ChaosReport = {
    faults,
    ...(race ? { race } : {}),
    ok,
    quick,
    postgres: 'a private cluster (initdb + pg_ctl) in a temporary directory',
    node: process.version,
    cpus: cpus().length,
    date: new Date().toISOString(),
  }
  const file = writeReport(report)
  console.log(markdown(report))
  log(`written to ${file}`)
  process.exitCode = ok ? 0 : 1
}

await main()
