import { createCache } from '@guild/cache'
import { createDb } from '@guild/db'
import { Pool } from 'undici'
import type { BenchContext } from '../context.js'
import { metricIn, metricsText } from '../metrics-scrape.js'
import { permissionServer } from '../paths.js'
import { round } from '../stats.js'
import { seeded, Zipf } from '../zipf.js'

export interface HitRateFigures {
  rate: number
  requests: number
  writes: number
  guilds: number
  users_per_guild: number
  tools: number
  zipf_s: number
  warmed: boolean
  errors: number
  /**
   * The hit rate of an ideal on-demand cache on the very same operations: every entry warmed, kept
   * forever, and dropped only by the seed's rule (a write drops all of its guild's answers), so the first
   * read of each after a write misses. What an on-demand cache cannot beat; refilling what a write
   * removed (permission-service's refill after invalidation) can.
   */
  on_demand_ceiling: number
  /** Permission queries the instances sent during the measured part (refills ride in them). */
  db_queries: number
  /** Answers filled back into Redis after invalidations, by the guilds' next checks (nobody's answer). */
  refilled: number
}

const TOOLS: [string, number][] = [
  ['roster', 9],
  ['settings', 1],
  ['sync', 1],
  ['permissions', 0],
  ['progress', 4],
  ['raids', 6],
]
const FIRST_GUILD = 100_000
const USERS = 50
// The metrics BENCH_DEBUG prints from each instance after the run.
const DEBUG_METRICS = [
  'cache_errors_total',
  'cache_events_total',
  'permission_checks_answered_total',
  'permission_db_queries_total',
  'cache_requests_total',
]

/**
 * A Zipf workload (s = 1.1) over guilds × 50 users × 6 tools against two permission-service instances,
 * with 1% writes as guild-api makes them (a permission change or a sync's rank change: commit, then
 * invalidate). Every guild is warmed first, as `guild-cache warm` does; the hit rate counted after is
 * (memory + Redis answers) / all answers, from the instances' own counters.
 */
export async function hitRate(ctx: BenchContext): Promise<HitRateFigures> {
  const guilds = ctx.quick ? 100 : 1_000
  const requests = ctx.quick ? 10_000 : 200_000
  const db = createDb({ url: ctx.data.pg.url, max: 2 })
  const cache = createCache({ url: ctx.data.redis.url, busChannel: ctx.data.redis.channel, operationTimeoutMs: 1_000 })
  const env = ctx.serviceEnv({ REDIS_URL: ctx.data.redis.url })
  const instances = [await ctx.launch(permissionServer, env), await ctx.launch(permissionServer, env)]
  const pools = instances.map((p) => new Pool(p.url, { connections: 16 }))
  const auth = { authorization: `Bearer ${ctx.token}` }
  const userId = (g: number, u: number) => FIRST_GUILD * 100 + g * USERS + u
  try {
    await cache.ready
    const last = FIRST_GUILD + guilds - 1
    await db.sql`insert into users (bnet_id, battletag)
      select ${FIRST_GUILD * 100}::bigint + (g - ${FIRST_GUILD}) * ${USERS} + u, 'Zipf#' || g || '-' || u
      from generate_series(${FIRST_GUILD}::int, ${last}::int) g, generate_series(0, ${USERS - 1}) u`
    await db.sql`insert into guilds (id, region, realm_slug, name_slug, name, faction)
      select g, 'us', 'zipf', 'g-' || g, 'Zipf ' || g, 'HORDE'
      from generate_series(${FIRST_GUILD}::int, ${last}::int) g`
    await db.sql`insert into guild_members (guild_id, character_id, name, realm, level, class_id, rank, bnet_id)
      select g, ${FIRST_GUILD * 100}::bigint + (g - ${FIRST_GUILD}) * ${USERS} + u, 'C' || u, 'zipf', 80, 1, u % 10,
             ${FIRST_GUILD * 100}::bigint + (g - ${FIRST_GUILD}) * ${USERS} + u
      from generate_series(${FIRST_GUILD}::int, ${last}::int) g, generate_series(0, ${USERS - 1}) u`
    await db.sql`insert into guild_tool_permissions (guild_id, tool, max_rank)
      select g, t.tool, t.rank from generate_series(${FIRST_GUILD}::int, ${last}::int) g,
        unnest(${TOOLS.map((t) => t[0])}::text[], ${TOOLS.map((t) => t[1])}::int[]) as t(tool, rank)`

    const batch = async (pool: Pool, checks: { guild_id: number; bnet_id: number; tool: string }[]) => {
      const res = await pool.request({
        path: '/v1/check/batch',
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ checks }),
      })
      await res.body.dump()
      return res.statusCode
    }
    // Warming: every (member, tool) of every guild, 100 checks a request.
    const all: { guild_id: number; bnet_id: number; tool: string }[] = []
    for (let g = 0; g < guilds; g++)
      for (let u = 0; u < USERS; u++)
        for (const [tool] of TOOLS) all.push({ guild_id: FIRST_GUILD + g, bnet_id: userId(g, u), tool })
    for (let i = 0; i < all.length; i += 100 * 8) {
      await Promise.all(
        Array.from({ length: 8 }, (_, j) => all.slice(i + j * 100, i + (j + 1) * 100))
          .filter((c) => c.length > 0)
          .map((c, j) => batch(pools[j % 2] as Pool, c)),
      )
    }
    ctx.log(`hit_rate: warmed ${all.length} entries`)

    const counters = async () => {
      let hits = 0
      let total = 0
      let queries = 0
      let refilled = 0
      for (const p of instances) {
        const text = await metricsText(p.url)
        queries += metricIn(text, 'permission_db_queries_total')
        refilled += metricIn(text, 'cache_events_total', 'event="prefetch"')
        const l1 = metricIn(text, 'permission_checks_answered_total', 'layer="l1"')
        const redis = metricIn(text, 'permission_checks_answered_total', 'layer="redis"')
        const fromDb = metricIn(text, 'permission_checks_answered_total', 'layer="db"')
        hits += l1 + redis
        total += l1 + redis + fromDb
      }
      return { hits, total, queries, refilled }
    }
    const before = await counters()

    const random = seeded(42)
    const items = new Zipf(guilds * USERS * TOOLS.length, 1.1, random)
    const guildPick = new Zipf(guilds, 1.1, random)
    // Popularity is spread over guilds by a seeded shuffle, not by id order.
    const order = shuffled(guilds * USERS * TOOLS.length, random)
    const guildOrder = shuffled(guilds, random)
    let writes = 0
    let errors = 0
    // The ideal on-demand cache, kept alongside (see on_demand_ceiling): 1 = an entry it would hold.
    const held = new Uint8Array(guilds * USERS * TOOLS.length).fill(1)
    let idealHits = 0
    let reads = 0
    const inFlight = 32
    let next = 0
    const worker = async (w: number) => {
      while (next < requests) {
        next++
        if (random() < 0.01) {
          writes++
          const g = FIRST_GUILD + (guildOrder[guildPick.next()] as number)
          if (random() < 0.5) {
            const [tool] = TOOLS[Math.floor(random() * TOOLS.length)] as [string, number]
            await db.sql`update guild_tool_permissions set max_rank = ${Math.floor(random() * 10)}
              where guild_id = ${g} and tool = ${tool}`
          } else {
            const u = Math.floor(random() * USERS)
            await db.sql`update guild_members set rank = ${Math.floor(random() * 10)}
              where guild_id = ${g} and character_id = ${userId(g - FIRST_GUILD, u)}`
          }
          held.fill(0, (g - FIRST_GUILD) * USERS * TOOLS.length, (g - FIRST_GUILD + 1) * USERS * TOOLS.length)
          await cache.invalidateGuild(g)
          continue
        }
        const item = order[items.next()] as number
        const tool = (TOOLS[item % TOOLS.length] as [string, number])[0]
        const u = Math.floor(item / TOOLS.length) % USERS
        const g = Math.floor(item / (TOOLS.length * USERS))
        reads++
        if (held[item] === 1) idealHits++
        else held[item] = 1
        const res = await (pools[w % 2] as Pool).request({
          path: `/v1/check?guild_id=${FIRST_GUILD + g}&bnet_id=${userId(g, u)}&tool=${tool}`,
          method: 'GET',
          headers: auth,
        })
        await res.body.dump()
        if (res.statusCode !== 200) errors++
      }
    }
    await Promise.all(Array.from({ length: inFlight }, (_, w) => worker(w)))
    const after = await counters()
    if (process.env.BENCH_DEBUG) {
      for (const p of instances) {
        const text = await metricsText(p.url)
        ctx.log(
          text
            .split('\n')
            .filter((l) => DEBUG_METRICS.some((name) => l.startsWith(name)))
            .join('\n'),
        )
      }
    }
    const rate = (after.hits - before.hits) / (after.total - before.total)
    const ceiling = idealHits / reads
    ctx.log(
      `hit_rate: ${(rate * 100).toFixed(2)}% over ${after.total - before.total} checks, ${writes} writes; ` +
        `an ideal on-demand cache: ${(ceiling * 100).toFixed(2)}%`,
    )
    const dbQueries = after.queries - before.queries
    const refilled = after.refilled - before.refilled
    ctx.log(`hit_rate: ${dbQueries} database queries, ${refilled} answers refilled after invalidations`)
    return {
      rate: round(rate, 4),
      requests,
      writes,
      guilds,
      users_per_guild: USERS,
      tools: TOOLS.length,
      zipf_s: 1.1,
      warmed: true,
      errors,
      on_demand_ceiling: round(ceiling, 4),
      db_queries: dbQueries,
      refilled,
    }
  } finally {
    await Promise.all(pools.map((p) => p.close()))
    await cache.close()
    await db.close()
  }
}

function shuffled(n: number, random: () => number): Uint32Array {
  const a = new Uint32Array(n)
  for (let i = 0; i < n; i++) a[i] = i
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const t = a[i] as number
    a[i] = a[j] as number
    a[j] = t
  }
  return a
}
