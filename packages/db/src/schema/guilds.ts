import { sql } from 'drizzle-orm'
import {
  bigint,
  check,
  index,
  integer,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core'
import { MAX_RANK, MIN_RANK } from '@guild/contract'
import { users } from './users.js'

export const REGIONS = ['us', 'eu', 'kr', 'tw'] as const
export type Region = (typeof REGIONS)[number]

/**
 * A registered guild. `id` is Battle.net's own guild id (the roster endpoint's `guild.id`), and it is
 * the contract's `guild_id`: the same number names the guild in URLs, Redis keys and Battle.net, so no
 * mapping table can drift. (region, realm_slug, name_slug) is how Battle.net addresses a guild by name.
 * Battle.net assigns ids per region: should two regions' ids ever collide in one deployment, the second
 * registration fails on the primary key instead of being merged into the first.
 */
export const guilds = pgTable(
  'guilds',
  {
    id: bigint('id', { mode: 'number' }).primaryKey(),
    region: text('region', { enum: REGIONS }).notNull(),
    realmSlug: text('realm_slug').notNull(),
    nameSlug: text('name_slug').notNull(),
    name: text('name').notNull(),
    /** Battle.net's `faction.type`: `HORDE` or `ALLIANCE`. */
    faction: text('faction'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** When the roster was last imported from Battle.net. */
    syncedAt: timestamp('synced_at', { withTimezone: true }),
    /**
     * Set when a sync found Battle.net answering 404 for the guild's realm and name (disbanded or
     * renamed); cleared by the next sync that finds it. The guild and its roster are kept as they were
     * until an operator acts: nothing is deleted on Battle.net's word alone.
     */
    bnetMissingSince: timestamp('bnet_missing_since', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('guilds_region_realm_name_uq').on(t.region, t.realmSlug, t.nameSlug),
    check('guilds_region_ck', sql.raw(`region in (${REGIONS.map((r) => `'${r}'`).join(', ')})`)),
  ],
)

/**
 * A guild's roster as Battle.net reports it. Characters may belong to no user of ours, so
 * `character_id` is not a foreign key; `bnet_id` links the owning user where known.
 */
export const guildMembers = pgTable(
  'guild_members',
  {
    guildId: bigint('guild_id', { mode: 'number' })
      .notNull()
      .references(() => guilds.id, { onDelete: 'cascade' }),
    characterId: bigint('character_id', { mode: 'number' }).notNull(),
    name: text('name').notNull(),
    realm: text('realm').notNull(),
    level: integer('level').notNull(),
    classId: integer('class_id').notNull(),
    /** 0 is the guild master; lower is higher. */
    rank: smallint('rank').notNull(),
    bnetId: bigint('bnet_id', { mode: 'number' }).references(() => users.bnetId, { onDelete: 'set null' }),
  },
  (t) => [
    primaryKey({ name: 'guild_members_pk', columns: [t.guildId, t.characterId] }),
    // The permission query's min(rank) per (guild, user) is an index-only scan on this.
    index('guild_members_permission_idx').on(t.guildId, t.bnetId, t.rank),
    // "My guilds" for GET /me.
    index('guild_members_bnet_id_idx').on(t.bnetId),
    check('guild_members_rank_ck', sql.raw(`rank between ${MIN_RANK} and ${MAX_RANK}`)),
  ],
)

export type Guild = typeof guilds.$inferSelect
export type NewGuild = typeof guilds.$inferInsert
export type GuildMember = typeof guildMembers.$inferSelect
export type NewGuildMember = typeof guildMembers.$inferInsert
