import { existsSync } from 'node:fs'
import { cpus } from 'node:os'
import { onlyOf, reportFailure, runOptions, writeResults } from '@guild/testing'
import { benchContext } from './context.js'
import { idleConfig } from './idle-config.js'
import { markdown, type BenchReport } from './report.js'
import { guildApiServer, resultsDir } from './paths.js'
import { apiMembersTarget } from './scenarios/api-members.js'
import { hitRate } from './scenarios/hit-rate.js'
import { invalidation } from './scenarios/invalidation.js'
import { loadScenarios, type Target } from './scenarios/load.js'
import { stampede } from './scenarios/stampede.js'
import { webRoster } from './scenarios/web-roster.js'

/**
 * `npm run bench [-- --quick] [-- --only load,stampede,invalidation,hit_rate,web_roster]`: every figure next to its
 * baseline, from one run, written to bench/results/latest.json and printed as Markdown.
 */
async function main(): Promise<void> {
  const options = runOptions(process.argv.slice(2), { quick: { type: 'boolean' }, only: { type: 'string' } })
  const quick = options.quick === true
  const only = onlyOf(options.only, ['load', 'stampede', 'invalidation', 'hit_rate', 'web_roster'])
  const wanted = (name: string) => !only || only.has(name)
  const { ctx, data, stopStarted } = await benchContext(quick)
  const scenarios: BenchReport['scenarios'] = {}
  // Each scenario's servers stop when it ends: idle ones left running would still hear the next one's
  // invalidations on the shared bus (and be waited for), and take their share of two CPUs.
  try {
    if (wanted('load')) {
      const extra: Record<string, Target> = existsSync(guildApiServer)
        ? { api_members: await apiMembersTarget(ctx) }
        : {}
      if (!existsSync(guildApiServer)) ctx.log('api_members: guild-api is not built; skipped')
      Object.assign(scenarios, await loadScenarios(ctx, extra))
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
    if (wanted('web_roster')) {
      const figures = await webRoster(ctx.log, quick ? 3 : 7)
      if (figures) scenarios.web_roster = figures
    }
  } finally {
    await stopStarted()
    await data.cleanup()
  }
  const report: BenchReport = {
    scenarios,
    quick,
    node: process.version,
    cpus: cpus().length,
    idle: idleConfig(),
    date: new Date().toISOString(),
  }
  // bench/results/latest.json and a dated copy.
  const file = writeResults(resultsDir, report)
  console.log(markdown(report))
  console.error(`written to ${file}`)
}

try {
  await main()
} catch (err) {
  reportFailure(err)
}
