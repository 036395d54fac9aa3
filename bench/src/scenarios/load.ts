import type { BenchContext, LoadFigures } from '../context.js'
import { GUILD, MEMBER, TOOL, BATCH_MEMBERS } from '../fixture.js'
import { runLoad, type LoadOptions, type LoadResult } from '../load.js'
import { baselineServer, permissionServer } from '../paths.js'
import type { ServiceProcess } from '@guild/testing'
import { median, round } from '../stats.js'
import { measuredRound, stealNote } from '../measured-round.js'

interface Target {
  process: ServiceProcess
  /** Other processes every request also costs (guild-api's permission-service), counted in its CPU per request. */
  alsoCosts?: ServiceProcess[]
  load: Omit<LoadOptions, 'connections' | 'durationS'>
  /** Checks answered per request (20 for a batch). */
  perRequest: number
  /** What its ratio is taken against. */
  against: string | null
  /**
   * Counters read from the services around each round (cumulative), for figures that explain the round:
   * `api_members` reads how long guild-api waited for permission answers and how many exchanges it made.
   */
  readings?: () => Promise<HopReadings>
}

/** Cumulative counters from guild-api's and permission-service's /metrics. */
export interface HopReadings {
  /** Checks guild-api waited for, and the seconds it waited in all. */
  waits: number
  waitedS: number
  /** Requests permission-service served on /v1/check and /v1/check/batch. */
  exchanges: number
}

/**
 * The load scenarios: the bare baseline and the check in each configuration, run in interleaved rounds
 * (so the machine's drift hits all alike), each after a warm-up that is not counted; medians reported.
 * A ratio is the median of the rounds' own ratios: each compares two runs seconds apart, so a machine
 * whose speed wanders between rounds (a shared VM's does, by half) moves both sides of it alike.
 */
export type CheckScenario = 'check_l1' | 'check_redis' | 'check_db'

/** permission-service's settings for each check scenario: every tier, Redis without memory, the database alone. */
export function checkEnv(ctx: BenchContext, scenario: CheckScenario): Record<string, string> {
  if (scenario === 'check_l1') return { REDIS_URL: ctx.data.redis.url }
  if (scenario === 'check_redis') return { REDIS_URL: ctx.data.redis.url, PERMISSION_L1_TTL_MS: '0' }
  return { PERMISSION_L1_TTL_MS: '0' }
}

/** The check every load scenario sends: the fixture's member, guild and tool, with the service token. */
export function checkRequest(ctx: BenchContext, p: ServiceProcess): { url: string; headers: Record<string, string> } {
  return {
    url: `${p.url}/v1/check?guild_id=${GUILD}&bnet_id=${MEMBER}&tool=${TOOL}`,
    headers: { authorization: `Bearer ${ctx.token}` },
  }
}

export async function loadScenarios(
  ctx: BenchContext,
  extra: Record<string, Target> = {},
): Promise<Record<string, LoadFigures>> {
  const rounds = ctx.quick ? 1 : 5
  // --quick stays under a minute in all: with rounds of 3 s it took 62 s while a quarter of the CPU was stolen.
  const durationS = ctx.quick ? 2 : 8
  const connections = 10
  const auth = { authorization: `Bearer ${ctx.token}` }
  const get = (p: ServiceProcess) => checkRequest(ctx, p)
  const batchBody = JSON.stringify({
    checks: BATCH_MEMBERS.map((bnet_id) => ({ guild_id: GUILD, bnet_id, tool: TOOL })),
  })

  const baseline = await ctx.launch(baselineServer, {}, '/v1/check')
  const l1 = await ctx.launch(permissionServer, ctx.serviceEnv(checkEnv(ctx, 'check_l1')))
  const redisOnly = await ctx.launch(permissionServer, ctx.serviceEnv(checkEnv(ctx, 'check_redis')))
  const dbOnly = await ctx.launch(permissionServer, ctx.serviceEnv(checkEnv(ctx, 'check_db')))
  // The baseline gets the very same request (query string and headers included), at its own address.
  const targets: Record<string, Target> = {
    baseline: { process: baseline, load: get(baseline), perRequest: 1, against: null },
    check_l1: { process: l1, load: get(l1), perRequest: 1, against: 'baseline' },
    check_redis: { process: redisOnly, load: get(redisOnly), perRequest: 1, against: 'baseline' },
    check_db: { process: dbOnly, load: get(dbOnly), perRequest: 1, against: 'baseline' },
    check_batch: {
      process: l1,
      load: {
        url: l1.url + '/v1/check/batch',
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: batchBody,
      },
      perRequest: BATCH_MEMBERS.length,
      against: 'check_l1',
    },
    ...extra,
  }

  const samples: Record<string, LoadResult[]> = {}
  for (const [name, target] of Object.entries(targets)) {
    await runLoad({ ...target.load, connections, durationS: ctx.quick ? 1 : 2 })
    samples[name] = []
  }
  // CPU per request: what the servers spent (user + system) over the requests served, per round. Steadier
  // than throughput on a machine whose speed wanders, and it shows where a ratio's cost lies.
  const cpu: Record<string, number[]> = {}
  const steal: Record<string, number[]> = {}
  // Read once before the first round and once after the last, not around each round: a scrape just
  // before a round costs the round (a quick pass read a tenth less with one).
  const readings = async () => {
    const out: Record<string, HopReadings> = {}
    for (const [name, target] of Object.entries(targets)) if (target.readings) out[name] = await target.readings()
    return out
  }
  const hopBefore = await readings()
  for (let round_ = 1; round_ <= rounds; round_++) {
    for (const [name, target] of Object.entries(targets)) {
      const { result, userUs, systemUs, stealPct } = await measuredRound(target, connections, durationS)
      const perRequest = userUs + systemUs
      samples[name]?.push(result)
      ;(cpu[name] ??= []).push(perRequest)
      if (stealPct !== undefined) (steal[name] ??= []).push(stealPct)
      ctx.log(
        `load round ${round_}/${rounds} ${name}: ${result.rps} req/s, p99 ${result.p99_ms} ms, ` +
          `${result.non2xx + result.errors} errors, ${perRequest.toFixed(1)} µs CPU a request${stealNote(stealPct)}`,
      )
    }
  }
  const hopAfter = await readings()
  const hop: Record<string, { waitUs: number; exchangesPerRequest: number }> = {}
  for (const [name, after] of Object.entries(hopAfter)) {
    const before = hopBefore[name] as HopReadings
    const requests = (samples[name] ?? []).reduce((sum, r) => sum + r.requests, 0)
    if (after.waits <= before.waits || requests === 0) continue
    hop[name] = {
      waitUs: (1e6 * (after.waitedS - before.waitedS)) / (after.waits - before.waits),
      exchangesPerRequest: (after.exchanges - before.exchanges) / requests,
    }
  }
  // The check's second aim: p99 at a steady 2,000 requests per second.
  const steadyP99: Record<string, number> = {}
  for (const name of ['baseline', 'check_l1']) {
    const target = targets[name] as Target
    steadyP99[name] = (await runLoad({ ...target.load, connections, durationS, rate: 2_000 })).p99_ms
  }

  const figures: Record<string, LoadFigures> = {}
  const throughput = (name: string, round: number) =>
    ((samples[name] ?? [])[round]?.rps ?? 0) * (targets[name] as Target).perRequest
  const roundRatios = (name: string, against: string) =>
    Array.from({ length: rounds }, (_, r) => throughput(name, r) / Math.max(1, throughput(against, r)))
  for (const [name, runs] of Object.entries(samples)) {
    const target = targets[name] as Target
    const rps = median(runs.map((r) => r.rps))
    const ratios = target.against ? roundRatios(name, target.against) : undefined
    figures[name] = {
      rps,
      ...(target.perRequest > 1 ? { checks_per_s: rps * target.perRequest } : {}),
      p50_ms: median(runs.map((r) => r.p50_ms)),
      p99_ms: median(runs.map((r) => r.p99_ms)),
      max_ms: Math.max(...runs.map((r) => r.max_ms)),
      errors: runs.reduce((a, r) => a + r.errors + r.non2xx, 0),
      ratio: ratios ? round(median(ratios), 3) : null,
      ...(ratios ? { ratio_per_round: ratios.map((r) => round(r, 3)) } : {}),
      compared_with: target.against,
      rss_mb: target.process.peakRssMb(),
      cpu_us_per_request: round(median(cpu[name] ?? []), 1),
      ...(steal[name] ? { steal_pct_per_round: steal[name].map((v) => round(v, 1)) } : {}),
      ...(steadyP99[name] !== undefined ? { steady_2k_p99_ms: steadyP99[name] } : {}),
      ...(hop[name]
        ? {
            permission_wait_us: round(hop[name].waitUs, 0),
            permission_exchanges_per_request: round(hop[name].exchangesPerRequest, 3),
          }
        : {}),
    }
  }
  return figures
}

export type { Target }
