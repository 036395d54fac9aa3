import { bigint, check, index, pgTable, text, timestamp } from 'drizzle-orm/pg-core'
import { sql } from 'drizzle-orm'
import { users } from './users.js'

/**
 * Login sessions. Only the SHA-256 hex of the token is stored (the contract's `session_id`), so a
 * leaked table or backup cannot be replayed as cookies; the CHECK refuses anything else.
 */
export const sessions = pgTable(
  'sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    bnetId: bigint('bnet_id', { mode: 'number' })
      .notNull()
      .references(() => users.bnetId, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('sessions_bnet_id_idx').on(t.bnetId),
    // Purging expired sessions scans by expiry.
    index('sessions_expires_at_idx').on(t.expiresAt),
    check('sessions_token_hash_ck', sql.raw(`token_hash ~ '^[0-9a-f]{64}$'`)),
  ],
)

export type Session = typeof sessions.$inferSelect
export type NewSession = typeof sessions.$inferInsert
