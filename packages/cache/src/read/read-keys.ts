import { Cluster } from 'ioredis'
import type { CacheContext } from '../context.js'
import { internalKeys } from '../keys/keys.js'
import type { RedisClient } from '../redis/connection.js'

/**
 * The read step: several keys in one step, one MGET on a single Redis. A Cluster's keys span slots, so
 * there each is its own GET, which the Cluster client's auto-pipeline groups per node.
 */
export function readAll(c: RedisClient, keys: readonly string[]): Promise<(string | null)[]> {
  if (c instanceof Cluster) return Promise.all(keys.map((k) => c.get(k)))
  return c.mget(keys as string[])
}

/** The stale (grace) copies of `keys`, in order; read only when a loader failed or is late. */
export async function readStale(ctx: CacheContext, keys: readonly string[]): Promise<(string | null)[]> {
  return await ctx.gate.run('get_stale', (c) =>
    readAll(
      c,
      keys.map((k) => internalKeys.stale(k)),
    ),
  )
}
