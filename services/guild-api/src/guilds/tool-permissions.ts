import type { Cache } from '@guild/cache'
import { asc, eq, guildToolPermissions, type DbHandle } from '@guild/db'
import { deliverInvalidations, recordInvalidations } from '../invalidation/outbox.js'
import { guildTarget } from '../invalidation/targets.js'

export type ToolMap = Record<string, number>

export async function loadToolPermissions(handle: DbHandle, guildId: number): Promise<ToolMap> {
  const rows = await handle.db
    .select({ tool: guildToolPermissions.tool, maxRank: guildToolPermissions.maxRank })
    .from(guildToolPermissions)
    .where(eq(guildToolPermissions.guildId, guildId))
    .orderBy(asc(guildToolPermissions.tool))
  return Object.fromEntries(rows.map((r) => [r.tool, r.maxRank]))
}

/**
 * Replaces the whole map in one transaction, then invalidates the guild (every cached permission
 * answer for it, in Redis and in every permission-service's memory) before the caller answers. The
 * invalidation is recorded in the same transaction (the outbox), so a crash cannot lose it.
 */
export async function replaceToolPermissions(
  cache: Cache,
  handle: DbHandle,
  guildId: number,
  tools: ToolMap,
): Promise<ToolMap> {
  const owed = await handle.db.transaction(async (tx) => {
    await tx.delete(guildToolPermissions).where(eq(guildToolPermissions.guildId, guildId))
    const rows = Object.entries(tools).map(([tool, maxRank]) => ({ guildId, tool, maxRank }))
    if (rows.length > 0) await tx.insert(guildToolPermissions).values(rows)
    return await recordInvalidations(tx, cache, [guildTarget(guildId)])
  })
  await deliverInvalidations({ db: handle, cache }, owed)
  return await loadToolPermissions(handle, guildId)
}
