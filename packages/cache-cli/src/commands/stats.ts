import type { Redis } from 'ioredis'
import type { CliContext } from '../context.js'
import { hitRate, readEndpoints, totalOf, type RequestCounts } from '../metrics-endpoints.js'
import { bytes, count, percent, table } from '../output.js'
import { describeTarget, infoOf, mastersOf, sumField } from '../redis-admin.js'
import { reasonOf } from '../errors.js'

export interface StatsReport {
  redis: { target: string; mode: 'single' | 'cluster'; masters: number }
  memory: {
    usedBytes: number
    maxBytes: number
    policy: string | null
    policySource: 'CONFIG GET' | 'INFO' | null
    policyNote?: string
  }
  evictedKeys: number
  connectedClients: number
  keys: {
    total: number
    sampled: number
    exact: boolean
    namespaces: Record<string, { sampled: number; estimated: number }>
  }
  hitRate: {
    endpoints: { url: string; ok: boolean; error?: string }[]
    namespaces: Record<string, RequestCounts & { hitRate: number | null }>
    total: RequestCounts & { hitRate: number | null }
  }
}

export async function stats(ctx: CliContext): Promise<void> {
  const client = await ctx.admin()
  const masters = mastersOf(client)
  const [memory, statsInfo, clients, sizes, policy, endpoints] = await Promise.all([
    Promise.all(masters.map((m) => infoOf(m, 'memory'))),
    Promise.all(masters.map((m) => infoOf(m, 'stats'))),
    Promise.all(masters.map((m) => infoOf(m, 'clients'))),
    Promise.all(masters.map((m) => m.dbsize())),
    evictionPolicy(masters),
    readEndpoints(ctx.inv.metrics, ctx.inv.timeoutMs),
  ])
  const infoPolicy = memory[0]?.get('maxmemory_policy') ?? null
  const keys = await sampleKeys(masters, sizes, ctx.inv.sample)
  const namespaces = Object.fromEntries(
    [...endpoints.namespaces].sort().map(([ns, c]) => [ns, { ...c, hitRate: hitRate(c) }]),
  )
  const total = totalOf(endpoints.namespaces)
  const report: StatsReport = {
    redis: { target: describeTarget(ctx.target), mode: ctx.target.kind, masters: masters.length },
    memory: {
      usedBytes: sumField(memory, 'used_memory'),
      maxBytes: sumField(memory, 'maxmemory'),
      policy: policy.value ?? infoPolicy,
      policySource: policy.value ? 'CONFIG GET' : infoPolicy ? 'INFO' : null,
      ...(policy.note ? { policyNote: policy.note } : {}),
    },
    evictedKeys: sumField(statsInfo, 'evicted_keys'),
    connectedClients: sumField(clients, 'connected_clients'),
    keys,
    hitRate: { endpoints: endpoints.endpoints, namespaces, total: { ...total, hitRate: hitRate(total) } },
  }
  ctx.out.result(report, () => render(report))
}

/** CONFIG GET maxmemory-policy; managed Redis often refuses CONFIG, and INFO memory says it too. */
async function evictionPolicy(masters: Redis[]): Promise<{ value: string | null; note?: string }> {
  try {
    const values = await Promise.all(masters.map(async (m) => (await m.config('GET', 'maxmemory-policy'))[1] ?? null))
    const distinct = [...new Set(values.filter((v): v is string => v !== null))]
    return { value: distinct.length > 0 ? distinct.join(',') : null }
  } catch (err) {
    return { value: null, note: `CONFIG GET refused (${reasonOf(err)})` }
  }
}

/** A key's namespace for the sample: its first segment, and the second for the layer's own `cache:` keys. */
export function sampleNamespace(key: string): string {
  const parts = key.split(':')
  if (parts.length === 1) return '(no namespace)'
  return parts[0] === 'cache' && parts.length > 2 ? `cache:${parts[1]}` : (parts[0] as string)
}

/**
 * Keys per namespace from a bounded SCAN: each master gives a share of `sample` in proportion to its
 * DBSIZE, and its counts are scaled up by DBSIZE / sampled. Never KEYS; exact when everything was seen.
 */
async function sampleKeys(masters: Redis[], sizes: number[], sample: number): Promise<StatsReport['keys']> {
  const total = sizes.reduce((a, b) => a + b, 0)
  const estimated = new Map<string, { sampled: number; estimated: number }>()
  let sampledAll = 0
  let exact = true
  await Promise.all(
    masters.map(async (node, i) => {
      const size = sizes[i] as number
      if (size === 0) return
      const quota = Math.max(1, Math.ceil((sample * size) / Math.max(1, total)))
      const seen = new Set<string>()
      let cursor = '0'
      do {
        const [next, page] = await node.scan(cursor, 'COUNT', Math.min(1_000, quota))
        cursor = next
        for (const key of page) if (seen.size < quota) seen.add(key)
      } while (cursor !== '0' && seen.size < quota)
      if (cursor !== '0') exact = false
      sampledAll += seen.size
      const scale = cursor === '0' ? 1 : size / seen.size
      const byNs = new Map<string, number>()
      for (const key of seen) byNs.set(sampleNamespace(key), (byNs.get(sampleNamespace(key)) ?? 0) + 1)
      for (const [ns, n] of byNs) {
        const entry = estimated.get(ns) ?? { sampled: 0, estimated: 0 }
        entry.sampled += n
        entry.estimated += n * scale
        estimated.set(ns, entry)
      }
    }),
  )
  const namespaces = Object.fromEntries(
    [...estimated]
      .sort((a, b) => b[1].estimated - a[1].estimated)
      .map(([ns, e]) => [ns, { sampled: e.sampled, estimated: Math.round(e.estimated) }]),
  )
  return { total, sampled: sampledAll, exact, namespaces }
}

function render(r: StatsReport): string {
  const lines: string[] = []
  lines.push(`redis      ${r.redis.target}${r.redis.mode === 'cluster' ? ` (${r.redis.masters} masters)` : ''}`)
  const max = r.memory.maxBytes > 0 ? `of ${bytes(r.memory.maxBytes)} maxmemory` : '(no maxmemory set)'
  lines.push(`memory     ${bytes(r.memory.usedBytes)} used ${max}`)
  lines.push(
    `eviction   policy ${r.memory.policy ?? 'unknown'}` +
      (r.memory.policyNote
        ? ` (${r.memory.policyNote}${r.memory.policySource === 'INFO' ? '; read from INFO' : ''})`
        : '') +
      `, ${count(r.evictedKeys)} keys evicted`,
  )
  lines.push(`clients    ${count(r.connectedClients)} connected`)
  const how = r.keys.exact ? 'all scanned' : `estimated from ${count(r.keys.sampled)} sampled by SCAN`
  lines.push(`keys       ${count(r.keys.total)} in total (${how})`)
  const nsRows = Object.entries(r.keys.namespaces).map(([ns, e]) => [
    `  ${ns}`,
    count(e.estimated),
    percent(r.keys.total > 0 ? e.estimated / r.keys.total : null),
  ])
  if (nsRows.length > 0) lines.push(table(['  namespace', 'keys', 'share'], nsRows))
  const reached = r.hitRate.endpoints.filter((e) => e.ok).length
  lines.push(
    `hit rate   ${percent(r.hitRate.total.hitRate)} (${count(r.hitRate.total.hits)} hits, ` +
      `${count(r.hitRate.total.misses)} misses; from ${reached} of ${r.hitRate.endpoints.length} metrics endpoints)`,
  )
  const hitRows = Object.entries(r.hitRate.namespaces).map(([ns, c]) => [
    `  ${ns}`,
    count(c.hits),
    count(c.misses),
    percent(c.hitRate),
  ])
  if (hitRows.length > 0) lines.push(table(['  namespace', 'hits', 'misses', 'hit rate'], hitRows))
  for (const e of r.hitRate.endpoints.filter((e) => !e.ok)) lines.push(`  unreachable: ${e.url} (${e.error})`)
  return lines.join('\n')
}
