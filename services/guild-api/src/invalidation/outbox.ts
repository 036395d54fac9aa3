import type { Cache } from '@guild/cache'
import { cacheOutbox, inArray, sql, type Database, type DbHandle } from '@guild/db'
import { distinct, invalidate, toRow, type InvalidationTarget } from './targets.js'

type Tx = Parameters<Parameters<Database['transaction']>[0]>[0]

/** Invalidations a committed change owes the cache, and the outbox rows that keep them until delivered. */
export interface OwedInvalidations {
  targets: InvalidationTarget[]
  rowIds: number[]
}

/**
 * Inside the change's transaction: records what it makes stale in `cache_outbox`, so the invalidation
 * commits (or rolls back) with the change and outlives this process. Without Redis there is nothing
 * cached to invalidate and nobody to deliver it, so nothing is recorded (the table cannot grow).
 */
export async function recordInvalidations(
  tx: Tx,
  cache: Cache,
  targets: readonly InvalidationTarget[],
): Promise<OwedInvalidations> {
  const owed = distinct(targets)
  if (!cache.enabled || owed.length === 0) return { targets: owed, rowIds: [] }
  // The commit's time, near enough (now() would be the transaction's start): a drainer leaves the row
  // to its writer for a grace period counted from it.
  const rows = await tx
    .insert(cacheOutbox)
    .values(owed.map((target) => ({ ...toRow(target), createdAt: sql`clock_timestamp()` })))
    .returning({ id: cacheOutbox.id })
  return { targets: owed, rowIds: rows.map((r) => r.id) }
}

/**
 * After the commit, before the answer: invalidates (returning once every process on the bus has dropped
 * its copies), then drops the rows if the invalidations reached Redis. If they did not, the cache
 * retries them in memory and the rows stay for any instance's drainer (outbox-drainer.ts), so a crash
 * of this process loses nothing. A row a drainer holds right now is left to it.
 */
export async function deliverInvalidations(
  deps: { db: DbHandle; cache: Cache },
  owed: OwedInvalidations,
): Promise<void> {
  await Promise.all(owed.targets.map((target) => invalidate(deps.cache, target)))
  if (owed.rowIds.length === 0 || deps.cache.pendingInvalidations() > 0) return
  await deleteRows(deps.db.db, owed.rowIds).catch(() => {
    // The change is committed and its invalidation delivered: a row left behind only means that a
    // drainer delivers it once more, which removes nothing that is still true.
  })
}

/** Deletes these rows, skipping any another transaction holds (a drainer delivering them). */
export async function deleteRows(db: Database | Tx, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return
  const free = db
    .select({ id: cacheOutbox.id })
    .from(cacheOutbox)
    .where(inArray(cacheOutbox.id, [...ids]))
    .for('update', { skipLocked: true })
  await db.delete(cacheOutbox).where(inArray(cacheOutbox.id, free))
}
