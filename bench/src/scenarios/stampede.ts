import { Pool } from 'undici'
import type { BenchContext } from '../context.js'
import { GUILD, MEMBER } from '../fixture.js'
import { scrape } from '../metrics-scrape.js'
import { permissionServer } from '../paths.js'

export interface StampedeFigures {
  callers: number
  instances: number
  /** The worst round's: a stampede that gets through once in five is not prevented. */
  db_queries: number
  rounds: number
  db_queries_per_round: number[]
  errors: number
}

/**
 * 1,000 concurrent checks of one cold key over two permission-service instances, every one of them in
 * flight at once (a connection each), counting the database queries they cause. The aim is 1.
 */
export async function stampede(ctx: BenchContext): Promise<StampedeFigures> {
  const callers = 1_000
  const rounds = ctx.quick ? 2 : 5
  const env = ctx.serviceEnv({ REDIS_URL: ctx.data.redis.url })
  const instances = [await ctx.launch(permissionServer, env), await ctx.launch(permissionServer, env)]
  const pools = instances.map((p) => new Pool(p.url, { connections: callers / instances.length, pipelining: 1 }))
  const perRound: number[] = []
  let errors = 0
  try {
    for (let round = 1; round <= rounds; round++) {
      const before = await Promise.all(instances.map((p) => scrape(p.url, 'permission_db_queries_total')))
      // A tool never asked before: cold in memory, in Redis and in-flight everywhere.
      const path = `/v1/check?guild_id=${GUILD}&bnet_id=${MEMBER}&tool=stampede-${Date.now()}-${round}`
      const answers = await Promise.all(
        Array.from({ length: callers }, async (_, i) => {
          const res = await (pools[i % pools.length] as Pool).request({
            path,
            method: 'GET',
            headers: { authorization: `Bearer ${ctx.token}` },
          })
          await res.body.dump()
          return res.statusCode
        }),
      )
      errors += answers.filter((s) => s !== 200).length
      const after = await Promise.all(instances.map((p) => scrape(p.url, 'permission_db_queries_total')))
      const queries = after.reduce((a, v, i) => a + v - (before[i] as number), 0)
      perRound.push(queries)
      ctx.log(`stampede round ${round}/${rounds}: ${callers} callers → ${queries} database queries`)
      if (process.env.BENCH_DEBUG) {
        for (const p of instances) {
          const text = await (await fetch(`${p.url}/metrics`)).text()
          ctx.log(
            text
              .split('\n')
              .filter((l) => /^(cache_errors_total|cache_events_total|permission_db_queries_total)/.test(l))
              .join('\n'),
          )
        }
      }
    }
  } finally {
    await Promise.all(pools.map((p) => p.close()))
  }
  return {
    callers,
    instances: instances.length,
    db_queries: Math.max(...perRound),
    rounds,
    db_queries_per_round: perRound,
    errors,
  }
}
