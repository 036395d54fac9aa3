import { and, count, eq, guildMembers, guilds, sql, type DbHandle, type Guild } from '@guild/db'

/** GET /guilds/{id}: what a member sees of the guild. */
export interface GuildSummary {
  guild_id: number
  name: string
  realm: string
  region: string
  faction: string | null
  member_count: number
  created_at: string
  synced_at: string | null
  bnet_missing_since: string | null
}

export async function findGuild(handle: DbHandle, guildId: number): Promise<Guild | undefined> {
  const [guild] = await handle.db.select().from(guilds).where(eq(guilds.id, guildId))
  return guild
}

/** The user's best (lowest) rank in the guild's roster; null when no character of theirs is in it. */
export async function bestRank(handle: DbHandle, guildId: number, bnetId: number): Promise<number | null> {
  const [row] = await handle.db
    .select({ rank: sql<number | null>`min(${guildMembers.rank})`.mapWith((v) => (v === null ? null : Number(v))) })
    .from(guildMembers)
    .where(and(eq(guildMembers.guildId, guildId), eq(guildMembers.bnetId, bnetId)))
  return row?.rank ?? null
}

export async function guildSummary(handle: DbHandle, guild: Guild): Promise<GuildSummary> {
  const [row] = await handle.db.select({ n: count() }).from(guildMembers).where(eq(guildMembers.guildId, guild.id))
  return {
    guild_id: guild.id,
    name: guild.name,
    realm: guild.realmSlug,
    region: guild.region,
    faction: guild.faction,
    member_count: row?.n ?? 0,
    created_at: guild.createdAt.toISOString(),
    synced_at: guild.syncedAt?.toISOString() ?? null,
    bnet_missing_since: guild.bnetMissingSince?.toISOString() ?? null,
  }
}
