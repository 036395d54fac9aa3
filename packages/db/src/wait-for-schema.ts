import { readMigrationFiles } from 'drizzle-orm/migrator'
import type { DbHandle } from './client.js'
import { MIGRATIONS_FOLDER } from './migrations-folder.js'
import { SchemaNotReadyError, describeError } from './errors.js'

export interface WaitForSchemaOptions {
  /** Give up after this long. Default 30000. */
  timeoutMs?: number
  /** Time between polls. Default 250. */
  intervalMs?: number
  /** Default: the package's committed `migrations/`. */
  migrationsFolder?: string
}

// drizzle's own bookkeeping (see its migrator): one row per applied migration, `created_at` being
// the journal entry's `when`; a migration counts as applied when the newest row is at least as new.
const MIGRATIONS_TABLE = 'drizzle.__drizzle_migrations'

/**
 * For a service that only reads (permission-service): waits until every committed migration is
 * applied, instead of racing guild-api's `migrate()` or running DDL it has no business running.
 * A database that is ahead of this build (a newer guild-api migrated it) counts as ready.
 */
export async function waitForSchema(handle: DbHandle, options: WaitForSchemaOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 30_000
  const intervalMs = options.intervalMs ?? 250
  const folder = options.migrationsFolder ?? MIGRATIONS_FOLDER
  let committed: number[]
  try {
    committed = readMigrationFiles({ migrationsFolder: folder }).map((m) => m.folderMillis)
  } catch (error) {
    throw new SchemaNotReadyError(
      `waitForSchema: cannot read the committed migrations in ${folder}: ${describeError(error)}`,
      {
        cause: error,
      },
    )
  }
  const deadline = Date.now() + timeoutMs
  let state: string
  let lastError: unknown
  for (;;) {
    try {
      const newest = await newestAppliedMigration(handle)
      const pending = committed.filter((when) => newest === undefined || when > newest).length
      if (pending === 0) return
      state =
        newest === undefined
          ? `no migration applied yet (${MIGRATIONS_TABLE} does not exist)`
          : `${committed.length - pending} of ${committed.length} committed migrations applied`
      lastError = undefined
    } catch (error) {
      state = `the database did not answer: ${describeError(error)}`
      lastError = error
    }
    const remaining = deadline - Date.now()
    if (remaining <= 0) {
      throw new SchemaNotReadyError(
        `database schema not ready after ${timeoutMs} ms: ${state}. guild-api applies the migrations when it starts; ` +
          'start it against the same DATABASE_URL (or run its migrate) and this service will follow.',
        { cause: lastError },
      )
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, remaining)))
  }
}

async function newestAppliedMigration(handle: DbHandle): Promise<number | undefined> {
  // Asking to_regclass first keeps a fresh database from filling the server log with errors.
  const [exists] = await handle.sql<
    { present: boolean }[]
  >`select to_regclass(${MIGRATIONS_TABLE}) is not null as present`
  if (!exists?.present) return undefined
  const [row] = await handle.sql.unsafe<{ newest: string | null }[]>(
    `select max(created_at)::text as newest from ${MIGRATIONS_TABLE}`,
  )
  return row?.newest == null ? undefined : Number(row.newest)
}
