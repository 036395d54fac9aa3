import { fork } from 'node:child_process'
import { createCache, keys } from '@guild/cache'
import { startOwnRedis } from '@guild/testing'
import { Redis } from 'ioredis'
import type { BenchContext } from '../context.js'
import { median, round } from '../stats.js'
import { fileURLToPath } from 'node:url'

export interface InvalidationFigures {
  keyspace: number
  guild_entries: number
  user_entries: number
  rounds: number
  /** Medians over the rounds; each round's figure beside. */
  guild_ms: number
  user_ms: number
  guild_ms_per_round: number[]
  user_ms_per_round: number[]
  seed_recipe_ms: number | null
  seed_recipe_error: string | null
  /** `ours`: the median over rounds of each round's worst GET (during its user and guild invalidations). */
  max_get_ms: { ours: number; ours_per_round: number[]; seed_recipe: number }
}

const GUILD = 777
const USER = 424_242
const SEED_RECIPE = "return redis.call('del', unpack(redis.call('keys', ARGV[1])))"

/**
 * A private Redis holding a large unrelated keyspace, a guild with 10,000 permission entries and a user
 * with 20. Times our invalidateGuild and invalidateUser, then the seed's own recipe (EVAL of DEL over
 * KEYS) on the same data, while a separate process issues GETs and records the worst wait.
 */
export async function invalidation(ctx: BenchContext): Promise<InvalidationFigures> {
  const keyspace = ctx.quick ? 200_000 : 1_000_000
  const guildEntries = 10_000
  const server = await startOwnRedis()
  const admin = new Redis(server.url)
  const prober = fork(fileURLToPath(new URL('../get-prober.js', import.meta.url)), [server.url])
  const cache = createCache({ url: server.url, busChannel: 'cache:bench:invalidation', operationTimeoutMs: 5_000 })
  try {
    await cache.ready
    for (let from = 0; from < keyspace; from += 10_000) {
      const pipeline = admin.pipeline()
      for (let i = from; i < Math.min(from + 10_000, keyspace); i++) pipeline.set(`unrelated:${i}`, 'x', 'EX', 3_600)
      await pipeline.exec()
    }
    const fill = async () => {
      for (let u = 1; u <= guildEntries; u += 200) {
        await Promise.all(Array.from({ length: 200 }, (_, i) => cache.setPermissionCheck(GUILD, u + i, 'roster', true)))
      }
      await cache.set(keys.userProfile(USER), { bnet_id: USER }, 600)
      await Promise.all(Array.from({ length: 19 }, (_, i) => cache.setPermissionCheck(1_000 + i, USER, 'roster', true)))
    }
    const timed = async (work: () => Promise<unknown>) => {
      prober.send('start')
      await new Promise((r) => setTimeout(r, 50))
      const started = performance.now()
      let error: string | null = null
      try {
        await work()
      } catch (err) {
        error = (err as Error).message
      }
      const ms = performance.now() - started
      const worst = await new Promise<number>((resolve) => {
        prober.once('message', (m: { worst: number }) => resolve(m.worst))
        prober.send('stop')
      })
      return { ms, worst, error }
    }

    // Rounds, medians reported: one sample on a shared two-CPU machine is at the mercy of a single stall.
    const rounds = ctx.quick ? 1 : 5
    const userRuns: { ms: number; worst: number }[] = []
    const guildRuns: { ms: number; worst: number }[] = []
    for (let r = 1; r <= rounds; r++) {
      await fill()
      const userRun = await timed(() => cache.invalidateUser(USER))
      const guildRun = await timed(() => cache.invalidateGuild(GUILD))
      userRuns.push(userRun)
      guildRuns.push(guildRun)
      ctx.log(
        `invalidation round ${r}/${rounds}: user ${userRun.ms.toFixed(2)} ms, guild ${guildRun.ms.toFixed(1)} ms, ` +
          `worst GET ${Math.max(userRun.worst, guildRun.worst).toFixed(2)} ms, over ${keyspace} keys`,
      )
    }
    const worstPerRound = userRuns.map((u, i) => Math.max(u.worst, (guildRuns[i] as { worst: number }).worst))

    await fill()
    const seed = await timed(() => admin.eval(SEED_RECIPE, 0, `permission:${GUILD}:*`))
    ctx.log(
      `invalidation: the seed's recipe ${seed.error ? `failed (${seed.error})` : `took ${seed.ms.toFixed(1)} ms`}`,
    )
    return {
      keyspace,
      guild_entries: guildEntries,
      user_entries: 20,
      rounds,
      guild_ms: round(median(guildRuns.map((g) => g.ms))),
      user_ms: round(median(userRuns.map((u) => u.ms))),
      guild_ms_per_round: guildRuns.map((g) => round(g.ms)),
      user_ms_per_round: userRuns.map((u) => round(u.ms)),
      seed_recipe_ms: seed.error ? null : round(seed.ms),
      seed_recipe_error: seed.error,
      max_get_ms: {
        ours: round(median(worstPerRound)),
        ours_per_round: worstPerRound.map((w) => round(w)),
        seed_recipe: round(seed.worst),
      },
    }
  } finally {
    prober.kill()
    await cache.close()
    admin.disconnect()
    await server.stop()
  }
}
