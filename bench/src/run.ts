import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { cpus } from 'node:os'
import { freePort } from '@guild/testing'
import type { BenchContext, LoadFigures } from './context.js'
import { benchData } from './fixture.js'
import { markdown, writeReport, type BenchReport } from './report.js'
import { guildApiServer } from './paths.js'
import { apiMembersTarget } from './scenarios/api-members.js'
import { hitRate } from './scenarios/hit-rate.js'
import { invalidation } from './scenarios/invalidation.js'
import { loadScenarios, type Target } from './scenarios/load.js'
import { stampede } from './scenarios/stampede.js'
import { startServiceProcess, type ServiceProcess } from '@guild/testing'

/**
 * `npm run bench [-- --quick] [-- --only load,stampede,invalidation,hit_rate]`: every figure next to its
 * baseline, from one run, written to bench/results/latest.json and printed as Markdown.
 */
const args = process.argv.slice(2)
const quick = args.includes('--quick')
const onlyArg = args.find((a) => a.startsWith('--only='))?.slice('--only='.length) ?? (args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined)
const only = onlyArg ? new Set(onlyArg.split(',')) : undefined
const wanted = (name: string) => !only || only.has(name)
/** BENCH_NODE_ARGS: flags for the servers' node, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile them. */
const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter((a) => a !== '')

async function main(): Promise<void> {
  const started: ServiceProcess[] = []
  const data = await benchData()
  const token = randomBytes(24).toString('hex')
  const ctx: BenchContext = {
    quick,
    token,
    data,
    launch: async (file, env, readyPath) => {
      const port = await freePort()
      const p = await startServiceProcess(file, port, typeof env === 'function' ? env(port) : env, readyPath, nodeArgs)
      started.push(p)
      return p
    },
    serviceEnv: (extra = {}) => ({
      DATABASE_URL: data.pg.url,
      SERVICE_TOKEN: token,
      CACHE_BUS_CHANNEL: data.redis.channel,
      DATABASE_POOL_MAX: '10',
      ...extra,
    }),
    log: (line) => console.error(line),
  }
  const scenarios: BenchReport['scenarios'] = {} as BenchReport['scenarios']
  // Each scenario's servers stop when it ends: idle ones left running would still hear the next one's
  // invalidations on the shared bus (and be waited for), and take their share of two CPUs.
  const stopStarted = async () => {
    for (const p of started.splice(0).reverse()) await p.stop()
  }
  try {
    if (wanted('load')) {
      const extra: Record<string, Target> = existsSync(guildApiServer) ? { api_members: await apiMembersTarget(ctx) } : {}
      if (!existsSync(guildApiServer)) ctx.log('api_members: guild-api is not built; skipped')
      Object.assign(scenarios, (await loadScenarios(ctx, extra)) as Record<string, LoadFigures>)
      await stopStarted()
    }
    if (wanted('stampede')) {
      scenarios.stampede = await stampede(ctx)
      await stopStarted()
    }
    if (wanted('invalidation')) {
      scenarios.invalidation = await invalidation(ctx)
      await stopStarted()
    }
    if (wanted('hit_rate')) scenarios.hit_rate = await hitRate(ctx)
  } finally {
    await stopStarted()
    await data.cleanup()
  }
  const report: BenchReport = { scenarios, quick, node: process.version, cpus: cpus().length, date: new Date().toISOString() }
  const file = writeReport(report)
  console.log(markdown(report))
  console.error(`written to ${file}`)
}

await main()
