#!/usr/bin/env node
// @ts-check
/**
 * `npm run chaos:fuzz [-- --runs N --seed S --only guild-api,permission-service]`: the hostile-input
 * tests' fuzzer with many more inputs a route. Prints a Markdown table (route, inputs tried, 2xx/3xx,
 * 4xx, 5xx, crashes, keys outside the contract), writes chaos/results/fuzz-latest.json, and exits 1 when
 * anything failed (every failure is listed with the plan that caused it; the seed replays it).
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { failureReport, fuzzRoutes, guildApiTarget, permissionServiceTarget, routesToFuzz } from './index.mjs'
import { FRONTEND, SERVICE_TOKEN, startStack } from './stack.mjs'

const RESULTS = new URL('../results/', import.meta.url)
const SERVICES = ['guild-api', 'permission-service']

function options() {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '500' },
      seed: { type: 'string', default: '20250601' },
      only: { type: 'string', default: SERVICES.join(',') },
    },
  })
  const runs = Number(values.runs)
  const seed = Number(values.seed)
  const only = values.only.split(',').map((s) => s.trim())
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got ${values.runs}`)
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`)
  const unknown = only.filter((s) => !SERVICES.includes(s))
  if (unknown.length > 0) throw new Error(`--only takes ${SERVICES.join(', ')}; not ${unknown.join(', ')}`)
  return { runs, seed, only }
}

function table(runs) {
  const lines = [
    '| service | route | inputs tried | 2xx/3xx | 4xx | 5xx | crashes | keys outside the contract |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ]
  const totals = { tried: 0, ok: 0, s4xx: 0, s5xx: 0, crashes: 0, keys: 0 }
  for (const run of runs) {
    for (const r of run.routes) {
      const cells = [r.tried, r.s2xx + r.s3xx, r.s4xx, r.s5xx, r.crashes + r.badShapes, r.keysOutside.length]
      lines.push(`| ${run.service} | \`${r.route.replace(/\|/g, '\\|')}\` | ${cells.join(' | ')} |`)
      totals.tried += r.tried
      totals.ok += r.s2xx + r.s3xx
      totals.s4xx += r.s4xx
      totals.s5xx += r.s5xx
      totals.crashes += r.crashes + r.badShapes
      totals.keys += r.keysOutside.length
    }
  }
  lines.push(
    `| **all** | | **${totals.tried}** | **${totals.ok}** | **${totals.s4xx}** | **${totals.s5xx}** ` +
      `| **${totals.crashes}** | **${totals.keys}** |`,
  )
  return { markdown: lines.join('\n'), totals }
}

async function main() {
  const { runs, seed, only } = options()
  const startedAt = new Date().toISOString()
  process.stderr.write(`chaos:fuzz: seed ${seed}, ${runs} inputs a route, ${only.join(' and ')}\n`)
  const stack = await startStack()
  const results = []
  try {
    const progress = (r) =>
      process.stderr.write(
        `  ${r.service} ${r.route}: ${r.tried} inputs, ${r.s5xx} 5xx, ${r.crashes} crashes (${r.ms} ms)\n`,
      )
    if (only.includes('guild-api')) {
      const target = guildApiTarget({
        app: stack.guildApi,
        sessions: stack.sessions,
        mintSession: () => stack.login('Saurfang#2345'),
        publicUrl: stack.publicUrl,
        allowedOrigins: [FRONTEND],
        knownIds: [9001, 9002, 100001, 100004, 5001],
      })
      results.push(
        await fuzzRoutes({
          target,
          routes: routesToFuzz(stack.guildApi.routeCatalog),
          runs,
          seed,
          redis: stack.redis,
          onRoute: progress,
        }),
      )
    }
    if (only.includes('permission-service')) {
      const target = permissionServiceTarget({
        app: stack.permissionService,
        serviceToken: SERVICE_TOKEN,
        knownIds: [9001, 9002, 100001, 100002, 100004],
      })
      results.push(
        await fuzzRoutes({
          target,
          routes: routesToFuzz(stack.permissionService.routeCatalog),
          runs,
          seed,
          redis: stack.redis,
          onRoute: progress,
        }),
      )
    }
  } finally {
    await stack.close()
  }

  const { markdown, totals } = table(results)
  const failures = results.flatMap(failureReport)
  const report = {
    startedAt,
    finishedAt: new Date().toISOString(),
    seed,
    runsPerRoute: runs,
    node: process.version,
    totals,
    failures,
    services: results,
  }
  await mkdir(RESULTS, { recursive: true })
  await writeFile(new URL('fuzz-latest.json', RESULTS), `${JSON.stringify(report, null, 2)}\n`)
  process.stdout.write(`\n## Hostile input (seed ${seed}, ${runs} inputs a route)\n\n${markdown}\n\n`)
  if (failures.length > 0) {
    process.stdout.write(
      `${failures.length} failure(s); replay with --seed ${seed} --runs ${runs}:\n\n${failures.join('\n')}\n`,
    )
    process.exitCode = 1
  } else {
    process.stdout.write('No 5xx, no crash, every error in the contract shape, every Redis key within the contract.\n')
  }
  process.stdout.write('Written to chaos/results/fuzz-latest.json\n')
}

main().catch((err) => {
  process.stderr.write(`chaos:fuzz failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
  process.exit(1)
})
