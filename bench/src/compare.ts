import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { onlyOf, positiveOption, reportFailure, runOptions, UsageError } from '@guild/testing'
import { benchContext, type BenchContext } from './context.js'
import { idleConfig, idleNote } from './idle-config.js'
import { serversOf, thisCheckout, type ServerFiles } from './paths.js'
import { apiMembersTarget } from './scenarios/api-members.js'
import { checkEnv, checkRequest, type Target } from './scenarios/load.js'
import { median, round } from './stats.js'
import { measuredRound, stealNote } from './measured-round.js'

/**
 * `npm run bench:compare -- --against DIR [--only check_l1,api_members] [--rounds 8] [--seconds 3]`: this
 * checkout's services against another built checkout's (a `git worktree` of main, say), on the same
 * data, in alternating rounds (this-other, then other-this), so a machine whose speed wanders between
 * rounds moves both sides alike. For a code change, this is the figure that counts: the full bench
 * compares each service with a bare route, which hides a few percent in the machine's spread.
 */
const SCENARIOS = ['check_l1', 'check_redis', 'check_db', 'api_members'] as const
type Scenario = (typeof SCENARIOS)[number]

interface Sample {
  rps: number
  userUs: number
  systemUs: number
  /** The machine's CPU time the hypervisor gave away during the round (%), where /proc/stat says. */
  stealPct: number | undefined
}

async function target(ctx: BenchContext, scenario: Scenario, servers: ServerFiles): Promise<Target> {
  if (scenario === 'api_members') return await apiMembersTarget(ctx, servers)
  const p = await ctx.launch(servers.permission, ctx.serviceEnv(checkEnv(ctx, scenario)))
  return { process: p, load: checkRequest(ctx, p), perRequest: 1, against: null }
}

/** One round's figures: requests per second, and what the target's processes spent a request. */
async function sample(t: Target, connections: number, durationS: number): Promise<Sample> {
  const { result, userUs, systemUs, stealPct } = await measuredRound(t, connections, durationS)
  if (result.errors + result.non2xx > 0)
    throw new Error(`${t.load.url}: ${result.errors + result.non2xx} failed requests in a round`)
  return { rps: result.rps, userUs, systemUs, stealPct }
}

async function main(): Promise<void> {
  const options = runOptions(process.argv.slice(2), {
    against: { type: 'string' },
    only: { type: 'string' },
    rounds: { type: 'string' },
    seconds: { type: 'string' },
  })
  const against = options.against
  if (!against)
    throw new UsageError(
      'usage: npm run bench:compare -- --against <another checkout, built> ' +
        '[--only check_l1,…] [--rounds 8] [--seconds 3]',
    )
  const other = serversOf(resolve(against))
  for (const file of Object.values(other) as string[])
    if (!existsSync(file))
      throw new UsageError(`${file} does not exist: build that checkout first (npm run build there)`)
  const only = onlyOf(options.only, SCENARIOS)
  const scenarios = SCENARIOS.filter((s) => !only || only.has(s))
  const rounds = positiveOption(options.rounds, 'rounds', 8)
  const durationS = positiveOption(options.seconds, 'seconds', 3)
  const connections = 10

  const { ctx, data, stopStarted } = await benchContext(false)
  const rows: string[] = []
  try {
    for (const scenario of scenarios) {
      const sides = [await target(ctx, scenario, thisCheckout), await target(ctx, scenario, other)] as const
      for (const side of sides) await sample(side, connections, 2)
      const samples: [Sample[], Sample[]] = [[], []]
      for (let r = 0; r < rounds; r++) {
        for (const i of r % 2 === 0 ? [0, 1] : [1, 0]) {
          const s = await sample(sides[i as 0 | 1], connections, durationS)
          samples[i as 0 | 1].push(s)
          ctx.log(
            `${scenario} round ${r + 1}/${rounds} ${i === 0 ? 'this' : 'other'}: ${s.rps} req/s, ` +
              `${s.userUs.toFixed(1)} + ${s.systemUs.toFixed(1)} µs CPU a request${stealNote(s.stealPct)}`,
          )
        }
      }
      await stopStarted()
      const [ours, theirs] = samples
      const rpsRatios = ours.map((s, r) => s.rps / Math.max(1, (theirs[r] as Sample).rps))
      const cpuRatios = ours.map(
        (s, r) => (s.userUs + s.systemUs) / ((theirs[r] as Sample).userUs + (theirs[r] as Sample).systemUs),
      )
      const cpu = (list: Sample[]) =>
        `${round(median(list.map((s) => s.userUs + s.systemUs)), 1)} ` +
        `(${round(median(list.map((s) => s.userUs)), 1)} + ${round(median(list.map((s) => s.systemUs)), 1)})`
      const stolen = [...ours, ...theirs].flatMap((s) => (s.stealPct === undefined ? [] : [s.stealPct]))
      rows.push(
        `| ${scenario} | ${median(ours.map((s) => s.rps))} | ${median(theirs.map((s) => s.rps))} ` +
          `| ${round(median(rpsRatios), 3)} | ${rpsRatios.map((x) => round(x, 2)).join(' ')} ` +
          `| ${cpu(ours)} | ${cpu(theirs)} | ${round(median(cpuRatios), 3)} ` +
          `| ${stolen.length > 0 ? round(median(stolen), 1) : ''} |`,
      )
    }
  } finally {
    await stopStarted()
    await data.cleanup()
  }
  const idle = idleNote(idleConfig())
  console.log(
    `this checkout against ${resolve(against)}: ${rounds} alternating rounds of ${durationS} s, ` +
      `${connections} connections${idle === '' ? '' : `; ${idle}`}; medians\n`,
  )
  console.log(
    '| scenario | req/s this | req/s other | ratio | each round | CPU µs a request this (user + system) ' +
      '| other | CPU ratio | CPU stolen % (median round) |',
  )
  console.log('| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |')
  for (const row of rows) console.log(row)
}

try {
  await main()
} catch (err) {
  reportFailure(err)
}
