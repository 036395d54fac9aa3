import { keys, TTL, type Cache } from '@guild/cache'
import { asc, eq, guildMembers, type DbHandle } from '@guild/db'
import { READ_GRACE_S } from '../read-grace.js'

/** One entry of GET /guilds/{id}/members, exactly as the contract shapes it. */
export interface Member {
  character_id: number
  name: string
  realm: string
  level: number
  class_id: number
  rank: number
}

export async function loadMembers(handle: DbHandle, guildId: number): Promise<Member[]> {
  return await handle.db
    .select({
      character_id: guildMembers.characterId,
      name: guildMembers.name,
      realm: guildMembers.realm,
      level: guildMembers.level,
      class_id: guildMembers.classId,
      rank: guildMembers.rank,
    })
    .from(guildMembers)
    .where(eq(guildMembers.guildId, guildId))
    .orderBy(asc(guildMembers.rank), asc(guildMembers.name), asc(guildMembers.characterId))
}

/** The members the cache's in-process tier holds, without waiting; undefined: ask `getMembers`. */
export function peekMembers(cache: Cache, guildId: number): Member[] | undefined {
  return cache.peek<Member[]>(keys.guildMembers(guildId))
}

/**
 * Read through `guild:{id}:members` (300 s, and an hour of grace if the database fails); a sync invalidates the guild
 * before it answers.
 */
export async function getMembers(cache: Cache, handle: DbHandle, guildId: number): Promise<Member[]> {
  return await cache.getOrSet(keys.guildMembers(guildId), () => loadMembers(handle, guildId), TTL.members, {
    grace: READ_GRACE_S,
  })
}
