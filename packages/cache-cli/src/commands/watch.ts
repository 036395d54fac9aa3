import type { CliContext } from '../context.js'
import { hitRate, readEndpoints, totalOf, type RequestCounts } from '../metrics-endpoints.js'
import { bytes, percent } from '../output.js'
import { infoOf, mastersOf, sumField } from '../redis-admin.js'

interface Sample {
  at: number
  commands: number
  keyspaceHits: number
  keyspaceMisses: number
  usedBytes: number
  clients: number
  cache: RequestCounts
  endpointsUp: number
}

export interface WatchTick {
  time: string
  opsPerSec: number
  redisHitRate: number | null
  cacheHitRate: number | null
  cacheRequestsPerSec: number
  usedBytes: number
  connectedClients: number
  endpointsUp: number
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Polls INFO and the metrics endpoints every interval and shows the rates over that interval: Redis
 * ops/s (total_commands_processed), Redis' own hit rate (keyspace_hits/misses, every client), and the
 * cache's hit rate from the services' cache_requests_total. One line redrawn in place on a terminal, a
 * line per update otherwise, a JSON document per update with --json. Ctrl-C (or --count) stops it.
 */
export async function watch(ctx: CliContext, signal: AbortSignal): Promise<void> {
  const client = await ctx.admin()
  let previous = await sampleNow(ctx, client)
  let ticks = 0
  while (!signal.aborted && (ctx.inv.count === undefined || ticks < ctx.inv.count)) {
    await Promise.race([
      sleep(ctx.inv.intervalMs),
      new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true })),
    ])
    if (signal.aborted) break
    const current = await sampleNow(ctx, client)
    const tick = rates(previous, current)
    previous = current
    ticks++
    if (ctx.out.json) ctx.out.write(`${JSON.stringify(tick)}\n`)
    else if (ctx.out.live) ctx.out.write(`\r\x1b[K${line(tick)}`)
    else ctx.out.write(`${line(tick)}\n`)
  }
  if (ctx.out.live) ctx.out.write('\n')
}

async function sampleNow(ctx: CliContext, client: Awaited<ReturnType<CliContext['admin']>>): Promise<Sample> {
  const masters = mastersOf(client)
  const [stats, memory, clients, endpoints] = await Promise.all([
    Promise.all(masters.map((m) => infoOf(m, 'stats'))),
    Promise.all(masters.map((m) => infoOf(m, 'memory'))),
    Promise.all(masters.map((m) => infoOf(m, 'clients'))),
    readEndpoints(ctx.inv.metrics, ctx.inv.timeoutMs),
  ])
  return {
    at: performance.now(),
    commands: sumField(stats, 'total_commands_processed'),
    keyspaceHits: sumField(stats, 'keyspace_hits'),
    keyspaceMisses: sumField(stats, 'keyspace_misses'),
    usedBytes: sumField(memory, 'used_memory'),
    clients: sumField(clients, 'connected_clients'),
    cache: totalOf(endpoints.namespaces),
    endpointsUp: endpoints.endpoints.filter((e) => e.ok).length,
  }
}

export function rates(a: Sample, b: Sample): WatchTick {
  const seconds = Math.max(0.001, (b.at - a.at) / 1_000)
  const cache = { hits: Math.max(0, b.cache.hits - a.cache.hits), misses: Math.max(0, b.cache.misses - a.cache.misses) }
  const redis = { hits: b.keyspaceHits - a.keyspaceHits, misses: b.keyspaceMisses - a.keyspaceMisses }
  return {
    time: new Date().toISOString(),
    // Our own INFO calls count as commands too; they are a handful per interval.
    opsPerSec: Math.round((b.commands - a.commands) / seconds),
    redisHitRate: hitRate(redis),
    cacheHitRate: hitRate(cache),
    cacheRequestsPerSec: Math.round((cache.hits + cache.misses) / seconds),
    usedBytes: b.usedBytes,
    connectedClients: b.clients,
    endpointsUp: b.endpointsUp,
  }
}

function line(t: WatchTick): string {
  return [
    t.time.slice(11, 19),
    `ops/s ${t.opsPerSec}`,
    `cache hit ${percent(t.cacheHitRate)} (${t.cacheRequestsPerSec} req/s, ${t.endpointsUp} endpoints)`,
    `redis hit ${percent(t.redisHitRate)}`,
    `mem ${bytes(t.usedBytes)}`,
    `clients ${t.connectedClients}`,
  ].join('  ')
}
