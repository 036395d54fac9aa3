import type { CacheContext } from './context.js'
import { scripted } from './context.js'
import { internalKeys, scopesOfKey } from './keys.js'
import { MAX_TTL } from './ttl.js'

/**
 * Records an entry in the index of every scope it belongs to (its guild, its user) before its value
 * or lease is written, so that an invalidation that starts later finds it. Guarantee 3: invalidating
 * a guild or a user then reads its index, not the keyspace.
 */
export async function registerInIndexes(ctx: CacheContext, key: string, ttlSeconds: number, owner: number | undefined, deadline: number): Promise<void> {
  const scopes = scopesOfKey(key, owner)
  const indexes: string[] = []
  if (scopes.guild !== undefined) indexes.push(internalKeys.guildIndex(scopes.guild))
  if (scopes.user !== undefined) indexes.push(internalKeys.userIndex(scopes.user))
  if (indexes.length === 0) return
  // A member may hold a value for its TTL, plus a lease taken just before the value was written.
  const lifeMs = ttlSeconds * 1_000 + ctx.options.lockTtlMs
  await ctx.gate.run(
    'index',
    (c) => Promise.all(indexes.map((index) => scripted(c).indexRegister(index, key, lifeMs, MAX_TTL * 1_000))),
    deadline,
  )
}
