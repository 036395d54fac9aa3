import { bigserial, check, pgTable, text, timestamp } from 'drizzle-orm/pg-core'
import { sql } from 'drizzle-orm'

/**
 * A transactional outbox of cache invalidations: a writer inserts a row in the same transaction as the
 * change it describes, so the invalidation is as durable as the change. Whoever delivers it (the writer
 * after its commit, or any instance later, claiming rows with `FOR UPDATE SKIP LOCKED`) deletes the row
 * only once the invalidation reached the cache. What a scope means is the writer's business; this
 * package only stores it.
 */
export const cacheOutbox = pgTable(
  'cache_outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** `guild` or `user` (target: the id, in decimal), or `key` (target: one cache key). */
    scope: text('scope').$type<CacheOutboxScope>().notNull(),
    target: text('target').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  () => [
    check('cache_outbox_scope_ck', sql.raw(`scope in ('guild', 'user', 'key')`)),
    check('cache_outbox_target_ck', sql.raw(`length(target) between 1 and 1024`)),
  ],
)

export type CacheOutboxScope = 'guild' | 'user' | 'key'
export type CacheOutboxRow = typeof cacheOutbox.$inferSelect
export type NewCacheOutboxRow = typeof cacheOutbox.$inferInsert
