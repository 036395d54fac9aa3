import { keys, TTL, type Cache } from '@guild/cache'
import { asc, characters, eq, guildMembers, guilds, sql, users, type DbHandle } from '@guild/db'
import { READ_GRACE_S } from '../read-grace.js'

/** GET /me, exactly as the contract shapes it (and as `user:profile:{bnet_id}` holds it). */
export interface Profile {
  bnet_id: number
  battletag: string
  characters: Array<{ id: number; name: string; realm: string; level: number }>
  guilds: Array<{ guild_id: number; name: string; realm: string; rank: number }>
}

/** The profile from the database; null when the user is unknown. */
export async function loadProfile(handle: DbHandle, bnetId: number): Promise<Profile | null> {
  const { db } = handle
  const [user] = await db.select({ battletag: users.battletag }).from(users).where(eq(users.bnetId, bnetId))
  if (user === undefined) return null
  const owned = await db
    .select({ id: characters.id, name: characters.name, realm: characters.realm, level: characters.level })
    .from(characters)
    .where(eq(characters.bnetId, bnetId))
    .orderBy(asc(characters.name), asc(characters.id))
  // Registered guilds where the user has a character, with their best (lowest) rank there.
  const memberOf = await db
    .select({
      guild_id: guilds.id,
      name: guilds.name,
      realm: guilds.realmSlug,
      rank: sql<number>`min(${guildMembers.rank})`.mapWith(Number),
    })
    .from(guildMembers)
    .innerJoin(guilds, eq(guilds.id, guildMembers.guildId))
    .where(eq(guildMembers.bnetId, bnetId))
    .groupBy(guilds.id, guilds.name, guilds.realmSlug)
    .orderBy(asc(guilds.name), asc(guilds.id))
  return {
    bnet_id: bnetId,
    battletag: user.battletag,
    characters: owned,
    guilds: memberOf,
  }
}

/** Read through `user:profile:{bnet_id}` (600 s); invalidateUser drops it whenever what it shows changes. */
export async function getProfile(cache: Cache, handle: DbHandle, bnetId: number): Promise<Profile | null> {
  return await cache.getOrSet(keys.userProfile(bnetId), () => loadProfile(handle, bnetId), TTL.profile, {
    grace: READ_GRACE_S,
  })
}
