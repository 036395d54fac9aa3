import { keys, TTL, type Cache } from '@guild/cache'
import { eq, guildSettings, type DbHandle, type GuildSettingsObject } from '@guild/db'
import { deliverInvalidations, recordInvalidations } from '../invalidation/outbox.js'
import { guildTarget } from '../invalidation/targets.js'
import { READ_GRACE_S } from '../read-grace.js'

export async function loadSettings(handle: DbHandle, guildId: number): Promise<GuildSettingsObject> {
  const [row] = await handle.db
    .select({ settings: guildSettings.settings })
    .from(guildSettings)
    .where(eq(guildSettings.guildId, guildId))
  return row?.settings ?? {}
}

/** Read through `guild:{id}:settings` (600 s). */
export async function getSettings(cache: Cache, handle: DbHandle, guildId: number): Promise<GuildSettingsObject> {
  return await cache.getOrSet(keys.guildSettings(guildId), () => loadSettings(handle, guildId), TTL.settings, {
    grace: READ_GRACE_S,
  })
}

/**
 * Replaces the settings object, then invalidates the guild's cache (the seed: "guild settings updated →
 * invalidate guild cache", which takes `guild:{id}:settings` with it) before the caller answers. The
 * invalidation is recorded in the same transaction (the outbox), so a crash cannot lose it.
 */
export async function replaceSettings(
  cache: Cache,
  handle: DbHandle,
  guildId: number,
  settings: GuildSettingsObject,
): Promise<GuildSettingsObject> {
  const owed = await handle.db.transaction(async (tx) => {
    await tx
      .insert(guildSettings)
      .values({ guildId, settings })
      .onConflictDoUpdate({ target: guildSettings.guildId, set: { settings, updatedAt: new Date() } })
    return await recordInvalidations(tx, cache, [guildTarget(guildId)])
  })
  await deliverInvalidations({ db: handle, cache }, owed)
  return settings
}
