import type { Sql, TransactionSql } from 'postgres'
import { drizzle } from 'drizzle-orm/postgres-js'
import { migrate as drizzleMigrate } from 'drizzle-orm/postgres-js/migrator'
import type { DbHandle } from './client.js'
import { MIGRATIONS_FOLDER } from './migrations-folder.js'
import { DatabaseConfigError, MigrationError, describeError } from './errors.js'

/** The advisory lock key that serializes `migrate()` across processes ("guild" in ASCII). */
export const MIGRATION_LOCK_KEY = 0x6775696c64

export const DEFAULT_MIGRATION_TIMEOUT_MS = 60_000

export interface MigrateOptions {
  /** Default: the package's committed `migrations/`. */
  migrationsFolder?: string
  /**
   * Statement timeout while migrating, including the wait for another process's migration to
   * finish. Replaces the pool's (5 s) for the migration transaction only. Default 60000.
   */
  timeoutMs?: number
}

/**
 * Applies the committed migrations with drizzle's postgres-js migrator.
 *
 * drizzle's migrator takes no lock (drizzle-orm#874): two processes starting at once would both
 * read "nothing applied" and run the same DDL. So the whole run happens inside one transaction
 * that first takes a transaction-scoped advisory lock: the second process waits on the lock, then
 * reads the first one's committed bookkeeping and finds nothing left to do. The lock lives and dies
 * with the transaction, so a crashed migrator never leaves it held. It runs on the handle's own pool
 * (one connection, no extra client), which matters against the embedded Postgres.
 */
export async function migrate(handle: DbHandle, options: MigrateOptions = {}): Promise<void> {
  const folder = options.migrationsFolder ?? MIGRATIONS_FOLDER
  const timeoutMs = options.timeoutMs ?? DEFAULT_MIGRATION_TIMEOUT_MS
  if (!Number.isInteger(timeoutMs) || timeoutMs < 0) {
    throw new DatabaseConfigError(`migrate timeoutMs must be an integer ≥ 0, got ${timeoutMs}`, 'timeoutMs')
  }
  try {
    await handle.sql.begin(async (tx) => {
      await tx.unsafe(`set local statement_timeout = ${timeoutMs}`)
      await tx.unsafe(`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`)
      await drizzleMigrate(drizzle(pinnedTo(tx, handle.sql)), { migrationsFolder: folder })
    })
  } catch (error) {
    throw new MigrationError(
      `migrate: applying the migrations in ${folder} failed and was rolled back: ${describeError(error)}`,
      {
        cause: error,
      },
    )
  }
}

/**
 * drizzle's migrator reads the applied migrations and then opens its own transaction with
 * `client.begin()`, which on a pool may pick another connection, outside our lock. Handing it our
 * transaction, with `begin` as a savepoint, keeps every statement on the connection that holds the
 * lock. drizzle also reads `client.options` to install its type parsers: the pool's are shared.
 */
function pinnedTo(tx: TransactionSql, pool: Sql): Sql {
  return Object.assign(tx, {
    options: pool.options,
    begin: (fn: (sql: TransactionSql) => unknown) => tx.savepoint(fn),
  }) as unknown as Sql
}
