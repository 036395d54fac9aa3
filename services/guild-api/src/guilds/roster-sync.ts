import { eq, guildMembers, guilds, inArray, and, sql, type Guild } from '@guild/db'
import { BattleNetGuildMovedError, BattleNetNotFoundError } from '../battlenet/errors.js'
import type { BnetPriority } from '../battlenet/quota.js'
import { deliverInvalidations, recordInvalidations } from '../invalidation/outbox.js'
import { guildTarget, userTarget } from '../invalidation/targets.js'
import type { GuildDeps } from './registration.js'
import { inChunks, memberRows, ownersOf } from './roster-rows.js'

/** POST /guilds/{id}/sync's answer: how many roster rows were added, removed, or changed rank. */
export interface SyncResult {
  added: number
  removed: number
  rank_changed: number
}

/**
 * A registered guild Battle.net answers 404 for (disbanded, renamed or moved): 502 to a caller, marked in the database.
 */
export class GuildGoneError extends BattleNetGuildMovedError {}

export interface ScheduledSyncOptions {
  /** Skip the guild when it was synced after this (by a manual sync, or another instance's run). */
  freshSince: Date
}

/**
 * Fetches the roster from Battle.net and applies it in one transaction. The guild row is locked
 * before the fetch and until the commit, so two syncs of one guild, from any instance, manual or
 * scheduled, never run at once: the second waits and then fetches afresh. After the commit and before the
 * answer: the guild's cache goes (members, settings, every permission answer, in every process), and so
 * does the cached data of every user whose membership or rank changed, since their /me shows both.
 * A 404 from Battle.net marks the guild (`bnet_missing_since`) and changes nothing else.
 */
export async function syncGuild(deps: GuildDeps, guild: Guild): Promise<SyncResult> {
  const result = await runSync(deps, guild, 'interactive', undefined)
  if (result === undefined) throw new Error(`guild ${guild.id} vanished`)
  return result
}

/**
 * The scheduled sync of one guild: as syncGuild, with background priority for Battle.net's quota, and
 * skipped (undefined) when another sync holds the guild or ran since `freshSince`.
 */
export async function syncGuildIfDue(
  deps: GuildDeps,
  guild: Guild,
  options: ScheduledSyncOptions,
): Promise<SyncResult | undefined> {
  return await runSync(deps, guild, 'background', options)
}

async function runSync(
  deps: GuildDeps,
  guild: Guild,
  priority: BnetPriority,
  scheduled: ScheduledSyncOptions | undefined,
): Promise<SyncResult | undefined> {
  const { db, cache, bnet } = deps
  const fetchRoster = async () => {
    // A registered guild Battle.net no longer finds is not "unknown guild" (404) to our caller: it is a bad answer
    // upstream.
    const roster = await bnet
      .guildRoster(guild.region, guild.realmSlug, guild.nameSlug, { priority, notFoundMemory: false })
      .catch((err: unknown) => {
        if (!(err instanceof BattleNetNotFoundError)) throw err
        throw new GuildGoneError(`${err.message}: the guild was renamed, moved or disbanded; nothing was changed`)
      })
    if (roster.guild.id !== guild.id) {
      throw new BattleNetGuildMovedError(
        `Battle.net's roster for "${guild.nameSlug}" on "${guild.realmSlug}" ` +
          `now belongs to guild ${roster.guild.id}, not ${guild.id}: the guild was renamed or re-created`,
      )
    }
    return roster
  }

  const outcome = await db.db
    .transaction(async (tx) => {
      // A scheduled sync leaves a guild that is being synced to that sync (SKIP LOCKED: no row, no wait).
      const [locked] = await tx
        .select({ syncedAt: guilds.syncedAt })
        .from(guilds)
        .where(eq(guilds.id, guild.id))
        .for('update', scheduled === undefined ? {} : { skipLocked: true })
      if (locked === undefined) return undefined
      if (scheduled !== undefined && locked.syncedAt !== null && locked.syncedAt > scheduled.freshSince)
        return undefined
      const roster = await fetchRoster()
      const current = await tx
        .select({ characterId: guildMembers.characterId, rank: guildMembers.rank, bnetId: guildMembers.bnetId })
        .from(guildMembers)
        .where(eq(guildMembers.guildId, guild.id))
      const before = new Map(current.map((row) => [row.characterId, row]))
      const owners = await ownersOf(
        tx,
        roster.members.map((m) => m.id),
      )
      const inRoster = new Set(roster.members.map((m) => m.id))
      const affected = new Set<number>()
      const touch = (user: number | null | undefined) => {
        if (user !== null && user !== undefined) affected.add(user)
      }

      let added = 0
      let rankChanged = 0
      for (const m of roster.members) {
        const was = before.get(m.id)
        const owner = owners.get(m.id) ?? null
        if (was === undefined) {
          added++
          touch(owner)
        } else if (was.rank !== m.rank || was.bnetId !== owner) {
          if (was.rank !== m.rank) rankChanged++
          touch(was.bnetId)
          touch(owner)
        }
      }
      const removedRows = current.filter((row) => !inRoster.has(row.characterId))
      removedRows.forEach((row) => touch(row.bnetId))
      // A new guild name shows in the /me of everyone linked to the guild.
      if (roster.guild.name !== guild.name) current.forEach((row) => touch(row.bnetId))

      if (removedRows.length > 0) {
        const ids = removedRows.map((row) => row.characterId)
        for (const chunk of inChunks(ids, 10_000)) {
          await tx
            .delete(guildMembers)
            .where(and(eq(guildMembers.guildId, guild.id), inArray(guildMembers.characterId, chunk)))
        }
      }
      for (const chunk of inChunks(memberRows(guild.id, roster.members, owners))) {
        await tx
          .insert(guildMembers)
          .values(chunk)
          .onConflictDoUpdate({
            target: [guildMembers.guildId, guildMembers.characterId],
            set: {
              name: sql`excluded.name`,
              realm: sql`excluded.realm`,
              level: sql`excluded.level`,
              classId: sql`excluded.class_id`,
              rank: sql`excluded.rank`,
              bnetId: sql`excluded.bnet_id`,
            },
          })
      }
      await tx
        .update(guilds)
        .set({ name: roster.guild.name, faction: roster.guild.faction, syncedAt: new Date(), bnetMissingSince: null })
        .where(eq(guilds.id, guild.id))
      const owed = await recordInvalidations(tx, cache, [guildTarget(guild.id), ...[...affected].map(userTarget)])
      return { result: { added, removed: removedRows.length, rank_changed: rankChanged }, owed }
    })
    .catch(async (err: unknown) => {
      // The roster stays as it was (members keep their last known ranks) until an operator acts.
      if (err instanceof GuildGoneError) {
        await db.db
          .update(guilds)
          .set({ bnetMissingSince: sql`coalesce(${guilds.bnetMissingSince}, now())` })
          .where(eq(guilds.id, guild.id))
      }
      throw err
    })
  if (outcome === undefined) return undefined

  await deliverInvalidations(deps, outcome.owed)
  return outcome.result
}
