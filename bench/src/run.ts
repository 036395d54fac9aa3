import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { freePort } from '@guild/testing'
import { benchData, GUILD, MEMBER, TOOL } from './fixture.js'
import { runLoad, type LoadResult } from './load.js'
import { baselineServer, permissionServer, resultsDir } from './paths.js'
import { startProcess, type ServiceProcess } from './service-process.js'
import { median, round } from './stats.js'

/**
 * `npm run bench [-- --quick]`: every load scenario next to a bare Fastify route started the same
 * way, in one run, rounds interleaved so that the machine's drift hits all alike; medians reported.
 */
const quick = process.argv.includes('--quick')
const rounds = quick ? 1 : 3
const durationS = quick ? 3 : 8
const warmupS = quick ? 1 : 2
const connections = 10
const token = randomBytes(24).toString('hex')
const auth = { authorization: `Bearer ${token}` }

interface ScenarioResult {
  rps: number
  p50_ms: number
  p99_ms: number
  max_ms: number
  errors: number
  ratio: number | null
  rss_mb: number
  steady_p99_ms?: number
}

async function main(): Promise<void> {
  const data = await benchData()
  const started: ServiceProcess[] = []
  try {
    const serviceEnv = (extra: Record<string, string>) => ({
      DATABASE_URL: data.pg.url,
      SERVICE_TOKEN: token,
      CACHE_BUS_CHANNEL: data.redis.channel,
      DATABASE_POOL_MAX: '10',
      ...extra,
    })
    const launch = async (file: string, env: Record<string, string>, ready?: string) => {
      const p = await startProcess(file, await freePort(), env, ready)
      started.push(p)
      return p
    }
    const targets = {
      baseline: await launch(baselineServer, {}, '/v1/check'),
      check_l1: await launch(permissionServer, serviceEnv({ REDIS_URL: data.redis.url })),
      check_redis: await launch(permissionServer, serviceEnv({ REDIS_URL: data.redis.url, PERMISSION_L1_TTL_MS: '0' })),
      check_db: await launch(permissionServer, serviceEnv({ PERMISSION_L1_TTL_MS: '0' })),
    }
    const path = `/v1/check?guild_id=${GUILD}&bnet_id=${MEMBER}&tool=${TOOL}`
    const samples: Record<string, LoadResult[]> = {}
    for (const [name, target] of Object.entries(targets)) {
      // Warm-up, not counted: JIT, connection pools, the caches' first fill.
      await runLoad({ url: target.url + path, connections, durationS: warmupS, headers: auth })
      samples[name] = []
    }
    for (let round_ = 0; round_ < rounds; round_++) {
      for (const [name, target] of Object.entries(targets)) {
        const result = await runLoad({ url: target.url + path, connections, durationS, headers: auth })
        if (result.non2xx > 0) throw new Error(`${name}: ${result.non2xx} answers were not 2xx`)
        samples[name]?.push(result)
        console.error(`round ${round_ + 1}/${rounds} ${name}: ${result.rps} req/s, p99 ${result.p99_ms} ms`)
      }
    }
    // The aim's second half: p99 at a steady 2,000 requests per second.
    const steady: Record<string, number> = {}
    for (const name of ['baseline', 'check_l1'] as const) {
      const r = await runLoad({ url: targets[name].url + path, connections, durationS, headers: auth, rate: 2_000 })
      steady[name] = r.p99_ms
    }
    const baselineRps = median((samples.baseline ?? []).map((r) => r.rps))
    const scenarios: Record<string, ScenarioResult> = {}
    for (const [name, runs] of Object.entries(samples)) {
      const rps = median(runs.map((r) => r.rps))
      scenarios[name] = {
        rps,
        p50_ms: median(runs.map((r) => r.p50_ms)),
        p99_ms: median(runs.map((r) => r.p99_ms)),
        max_ms: Math.max(...runs.map((r) => r.max_ms)),
        errors: runs.reduce((a, r) => a + r.errors + r.non2xx, 0),
        ratio: name === 'baseline' ? null : round(rps / baselineRps, 3),
        rss_mb: targets[name as keyof typeof targets].peakRssMb(),
        ...(steady[name] !== undefined ? { steady_p99_ms: steady[name] } : {}),
      }
    }
    const report = { scenarios, rounds, duration_s: durationS, connections, node: process.version, cpus: cpus().length, date: new Date().toISOString() }
    mkdirSync(resultsDir, { recursive: true })
    const json = JSON.stringify(report, null, 2) + '\n'
    writeFileSync(`${resultsDir}latest.json`, json)
    writeFileSync(`${resultsDir}${report.date.slice(0, 10)}.json`, json)
    console.log(table(scenarios))
  } finally {
    for (const p of started.reverse()) await p.stop()
    await data.cleanup()
  }
}

function table(scenarios: Record<string, ScenarioResult>): string {
  const lines = [
    '| scenario | req/s | p50 ms | p99 ms | max ms | errors | ratio to baseline | steady 2k req/s p99 ms | peak RSS MB |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ]
  for (const [name, s] of Object.entries(scenarios)) {
    lines.push(`| ${name} | ${s.rps} | ${s.p50_ms} | ${s.p99_ms} | ${s.max_ms} | ${s.errors} | ${s.ratio ?? '—'} | ${s.steady_p99_ms ?? ''} | ${s.rss_mb} |`)
  }
  return lines.join('\n')
}

await main()
