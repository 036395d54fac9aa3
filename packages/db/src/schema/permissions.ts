import { sql } from 'drizzle-orm'
import { bigint, check, pgTable, primaryKey, smallint, text } from 'drizzle-orm/pg-core'
import { MAX_RANK, MIN_RANK, TOOL_PATTERN } from '@guild/contract'
import { guilds } from './guilds.js'

/**
 * A guild's tool → highest rank map. A tool without a row is for rank 0 alone (the contract), so the
 * table never needs a row per known tool. The CHECKs repeat the contract's rules in the database, so
 * no writer can store a tool name or rank that a cache key or the permission rule would refuse.
 */
export const guildToolPermissions = pgTable(
  'guild_tool_permissions',
  {
    guildId: bigint('guild_id', { mode: 'number' })
      .notNull()
      .references(() => guilds.id, { onDelete: 'cascade' }),
    tool: text('tool').notNull(),
    maxRank: smallint('max_rank').notNull(),
  },
  (t) => [
    primaryKey({ name: 'guild_tool_permissions_pk', columns: [t.guildId, t.tool] }),
    check('guild_tool_permissions_tool_ck', sql.raw(`tool ~ '${TOOL_PATTERN.source}'`)),
    check('guild_tool_permissions_max_rank_ck', sql.raw(`max_rank between ${MIN_RANK} and ${MAX_RANK}`)),
  ],
)

export type GuildToolPermission = typeof guildToolPermissions.$inferSelect
export type NewGuildToolPermission = typeof guildToolPermissions.$inferInsert
