import type { Cache } from '@guild/cache'
import { defaultToolPermissions } from '@guild/contract'
import {
  and,
  characters,
  eq,
  guildMembers,
  guildSettings,
  guilds,
  guildToolPermissions,
  isUniqueViolation,
  type DbHandle,
} from '@guild/db'
import { httpError } from '@guild/service-kit'
import type { BattleNetClient } from '../battlenet/client.js'
import { slugOf } from '../battlenet/slugs.js'
import { deliverInvalidations, recordInvalidations, type OwedInvalidations } from '../invalidation/outbox.js'
import { guildTarget, userTarget } from '../invalidation/targets.js'
import type { BnetRegion } from '../config.js'
import { guildSummary, type GuildSummary } from './guild-queries.js'
import { inChunks, memberRows, ownersOf } from './roster-rows.js'

export interface RegisterGuildInput {
  region: BnetRegion
  realm: string
  name: string
}

export interface GuildDeps {
  db: DbHandle
  cache: Cache
  bnet: BattleNetClient
}

function alreadyRegistered(name: string, realm: string, region: string) {
  return httpError(409, `guild "${name}" on realm "${realm}" (${region}) is registered already`)
}

/**
 * POST /guilds: the caller must be rank 0 in Battle.net's roster right now (checked against the
 * characters Battle.net listed at their last login). One transaction stores the guild, its roster
 * linked to the users we know, the default tool permissions and empty settings. Then the guild's
 * cache and the profiles of the linked users (their /me lists the guild now) are invalidated.
 */
export async function registerGuild(deps: GuildDeps, bnetId: number, input: RegisterGuildInput): Promise<GuildSummary> {
  const { db, cache, bnet } = deps
  const realmSlug = slugOf(input.realm)
  const nameSlug = slugOf(input.name)
  const [existing] = await db.db
    .select({ id: guilds.id })
    .from(guilds)
    .where(and(eq(guilds.region, input.region), eq(guilds.realmSlug, realmSlug), eq(guilds.nameSlug, nameSlug)))
  if (existing !== undefined) throw alreadyRegistered(nameSlug, realmSlug, input.region)

  const roster = await bnet.guildRoster(input.region, realmSlug, nameSlug)
  const mine = await db.db.select({ id: characters.id }).from(characters).where(eq(characters.bnetId, bnetId))
  const myIds = new Set(mine.map((c) => c.id))
  if (!roster.members.some((m) => m.rank === 0 && myIds.has(m.id))) {
    throw httpError(
      403,
      `only the guild master (rank 0 in Battle.net's roster) may register "${roster.guild.name}"; ` +
        'if you became guild master since your last login, log in again',
    )
  }

  const guildId = roster.guild.id
  let owed: OwedInvalidations
  try {
    owed = await db.db.transaction(async (tx) => {
      await tx.insert(guilds).values({
        id: guildId,
        region: input.region,
        realmSlug,
        nameSlug,
        name: roster.guild.name,
        faction: roster.guild.faction,
        syncedAt: new Date(),
      })
      const owners = await ownersOf(
        tx,
        roster.members.map((m) => m.id),
      )
      for (const chunk of inChunks(memberRows(guildId, roster.members, owners)))
        await tx.insert(guildMembers).values(chunk)
      const tools = Object.entries(defaultToolPermissions()).map(([tool, maxRank]) => ({ guildId, tool, maxRank }))
      await tx.insert(guildToolPermissions).values(tools)
      await tx.insert(guildSettings).values({ guildId, settings: {} })
      return await recordInvalidations(tx, cache, [
        guildTarget(guildId),
        ...[...new Set(owners.values())].map(userTarget),
      ])
    })
  } catch (err) {
    if (isUniqueViolation(err)) throw alreadyRegistered(roster.guild.name, realmSlug, input.region)
    throw err
  }

  await deliverInvalidations(deps, owed)
  const [guild] = await db.db.select().from(guilds).where(eq(guilds.id, guildId))
  if (guild === undefined) throw new Error(`guild ${guildId} vanished right after it was registered`)
  return await guildSummary(db, guild)
}
