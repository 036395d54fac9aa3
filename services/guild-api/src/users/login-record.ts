import type { Cache } from '@guild/cache'
import {
  and,
  characters,
  eq,
  guildMembers,
  inArray,
  isNotNull,
  ne,
  notInArray,
  sql,
  users,
  type DbHandle,
} from '@guild/db'
import type { BnetCharacter, BnetUser } from '../battlenet/answers.js'
import { recordInvalidations, type OwedInvalidations } from '../invalidation/outbox.js'
import { userTarget } from '../invalidation/targets.js'

export interface LoginRecord {
  /**
   * Users whose cached data (profile, permission answers) no longer holds: this user when their
   * battletag, characters or guild links changed, and any user a character was taken from.
   */
  affectedUsers: number[]
  /** Their invalidations, recorded in the same transaction (the outbox). */
  owed: OwedInvalidations
}

function fingerprint(rows: Array<{ id: number; name: string; realm: string; level: number; classId: number }>): string {
  return JSON.stringify(
    rows.map((c) => [c.id, c.name, c.realm, c.level, c.classId]).sort((a, b) => Number(a[0]) - Number(b[0])),
  )
}

/**
 * Records what Battle.net said at login, in one transaction: the user, their characters exactly as
 * listed (a character that moved to another account moves here too), and the roster rows those
 * characters hold in registered guilds linked to the user (rows of characters they lost unlinked).
 */
export async function recordLogin(
  handle: DbHandle,
  cache: Cache,
  user: BnetUser,
  list: BnetCharacter[],
): Promise<LoginRecord> {
  const ids = list.map((c) => c.id)
  return await handle.db.transaction(async (tx) => {
    const before = await tx.select({ battletag: users.battletag }).from(users).where(eq(users.bnetId, user.id))
    const ownedBefore = await tx
      .select({
        id: characters.id,
        name: characters.name,
        realm: characters.realm,
        level: characters.level,
        classId: characters.classId,
      })
      .from(characters)
      .where(eq(characters.bnetId, user.id))
    const takenFrom = new Set<number>()
    if (ids.length > 0) {
      for (const row of await tx
        .select({ bnetId: characters.bnetId })
        .from(characters)
        .where(and(inArray(characters.id, ids), ne(characters.bnetId, user.id)))) {
        takenFrom.add(row.bnetId)
      }
      for (const row of await tx
        .select({ bnetId: guildMembers.bnetId })
        .from(guildMembers)
        .where(
          and(inArray(guildMembers.characterId, ids), isNotNull(guildMembers.bnetId), ne(guildMembers.bnetId, user.id)),
        )) {
        if (row.bnetId !== null) takenFrom.add(row.bnetId)
      }
    }

    await tx
      .insert(users)
      .values({ bnetId: user.id, battletag: user.battletag })
      .onConflictDoUpdate({ target: users.bnetId, set: { battletag: user.battletag } })
    await tx
      .delete(characters)
      .where(
        ids.length > 0
          ? and(eq(characters.bnetId, user.id), notInArray(characters.id, ids))
          : eq(characters.bnetId, user.id),
      )
    for (const c of list) {
      const row = { bnetId: user.id, name: c.name, realm: c.realm, level: c.level, classId: c.classId }
      await tx
        .insert(characters)
        .values({ id: c.id, ...row })
        .onConflictDoUpdate({ target: characters.id, set: row })
    }

    const unlinked = await tx
      .update(guildMembers)
      .set({ bnetId: null })
      .where(
        ids.length > 0
          ? and(eq(guildMembers.bnetId, user.id), notInArray(guildMembers.characterId, ids))
          : eq(guildMembers.bnetId, user.id),
      )
      .returning({ guildId: guildMembers.guildId })
    const linked =
      ids.length === 0
        ? []
        : await tx
            .update(guildMembers)
            .set({ bnetId: user.id })
            .where(and(inArray(guildMembers.characterId, ids), notLinkedTo(user.id)))
            .returning({ guildId: guildMembers.guildId })

    const changed =
      before[0]?.battletag !== user.battletag ||
      fingerprint(ownedBefore) !== fingerprint(list) ||
      unlinked.length > 0 ||
      linked.length > 0
    const affected = new Set(takenFrom)
    if (changed) affected.add(user.id)
    return { affectedUsers: [...affected], owed: await recordInvalidations(tx, cache, [...affected].map(userTarget)) }
  })
}

/** `bnet_id IS DISTINCT FROM $1`: nobody's, or someone else's. */
function notLinkedTo(bnetId: number) {
  return sql`${guildMembers.bnetId} is distinct from ${bnetId}`
}
