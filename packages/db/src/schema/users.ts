import { bigint, index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core'

/** A person who signed in with Battle.net; `bnet_id` is Battle.net's account id. */
export const users = pgTable('users', {
  bnetId: bigint('bnet_id', { mode: 'number' }).primaryKey(),
  battletag: text('battletag').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true })
    .notNull()
    .defaultNow()
    .$onUpdateFn(() => new Date()),
})

/** A user's own WoW characters, as Battle.net's profile API lists them; `id` is Battle.net's character id. */
export const characters = pgTable(
  'characters',
  {
    id: bigint('id', { mode: 'number' }).primaryKey(),
    bnetId: bigint('bnet_id', { mode: 'number' })
      .notNull()
      .references(() => users.bnetId, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** The realm's slug, e.g. `area-52`. */
    realm: text('realm').notNull(),
    level: integer('level').notNull(),
    classId: integer('class_id').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true })
      .notNull()
      .defaultNow()
      .$onUpdateFn(() => new Date()),
  },
  (t) => [index('characters_bnet_id_idx').on(t.bnetId)],
)

export type User = typeof users.$inferSelect
export type NewUser = typeof users.$inferInsert
export type Character = typeof characters.$inferSelect
export type NewCharacter = typeof characters.$inferInsert
