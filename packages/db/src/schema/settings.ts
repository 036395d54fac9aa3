import { bigint, jsonb, pgTable, timestamp } from 'drizzle-orm/pg-core'
import { guilds } from './guilds.js'

export type GuildSettingsObject = Record<string, unknown>

/** A guild's settings object, stored whole: guild-api reads and replaces it as one value. */
export const guildSettings = pgTable('guild_settings', {
  guildId: bigint('guild_id', { mode: 'number' })
    .primaryKey()
    .references(() => guilds.id, { onDelete: 'cascade' }),
  settings: jsonb('settings').$type<GuildSettingsObject>().notNull().default({}),
  updatedAt: timestamp('updated_at', { withTimezone: true })
    .notNull()
    .defaultNow()
    .$onUpdateFn(() => new Date()),
})

export type GuildSettings = typeof guildSettings.$inferSelect
export type NewGuildSettings = typeof guildSettings.$inferInsert
