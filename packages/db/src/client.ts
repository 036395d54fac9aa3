import postgres, { type Notice, type Sql } from 'postgres'
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import * as schema from './schema/index.js'
import { DatabaseConfigError } from './errors.js'

export type Schema = typeof schema
/** The drizzle instance over the schema, as guild-api's repositories use it. */
export type Database = PostgresJsDatabase<Schema> & { $client: Sql }

export const DEFAULT_POOL_MAX = 10
export const DEFAULT_STATEMENT_TIMEOUT_MS = 5000
/** Short on purpose: with the database down, permission-service must answer 503 at once, not hang 30 s. */
export const DEFAULT_CONNECT_TIMEOUT_S = 2
export const DEFAULT_IDLE_TIMEOUT_S = 30
/**
 * postgres.js waits 3^n/100 s (up to 20 s) before a reconnect after the n-th failed connection, n
 * counted across the pool, and a query that needs a connection waits that out with no timeout. Through
 * a database outage n climbs, so requests hung for 10-20 s during it and again after it was over (found
 * by the chaos suite, Postgres stopped). Capped: a query during an outage fails within half a second,
 * and the first one after it reconnects as fast.
 */
const MAX_RECONNECT_BACKOFF_S = 0.5

/** What `checkPermissions` reports after each query it sends (metrics, and tests counting queries). */
export interface PermissionQueryEvent {
  /** Items answered by this one query. */
  items: number
  durationMs: number
  ok: boolean
}

export interface CreateDbOptions {
  /** A `postgres://` URL, normally `DATABASE_URL`. */
  url: string
  /** Pool size; 1 against the embedded Postgres (PGlite serves one session). Default 10. */
  max?: number
  /**
   * Server-side `statement_timeout` for every statement, sent in the startup packet so that it holds
   * from the first query on every pooled connection. Default 5000; 0 turns it off. PGlite accepts
   * and ignores it (see the README).
   */
  statementTimeoutMs?: number
  /** How long to wait for a connection before failing the query. Default 2. */
  connectTimeoutS?: number
  /** Close a pooled connection idle this long. Default 30. */
  idleTimeoutS?: number
  /** Shown in `pg_stat_activity`. Default `guild`. */
  applicationName?: string
  /** Server notices (e.g. `IF NOT EXISTS … skipping`). Default: dropped. */
  onnotice?: (notice: Notice) => void
  /** Called after every permission query, with its size and duration. */
  onPermissionQuery?: (event: PermissionQueryEvent) => void
  /**
   * Observes every statement sent on any connection (postgres.js `debug`), e.g. for a test that
   * counts round trips. postgres.js captures a stack per query while it is set: tests and diagnostics only.
   */
  onQuery?: (query: string, parameters: readonly unknown[]) => void
}

export interface DbStats {
  /** Permission queries sent so far (one per non-empty `checkPermissions` call). */
  permissionQueries: number
}

export interface DbHandle {
  db: Database
  sql: Sql
  /** Counters kept by this package; cheap to read in tests and metrics. */
  readonly stats: DbStats
  readonly onPermissionQuery: ((event: PermissionQueryEvent) => void) | undefined
  /** True when `select 1` answers within `timeoutMs` (default: the connect timeout); never throws. */
  ping(timeoutMs?: number): Promise<boolean>
  /** Ends the pool, letting running queries finish for up to `timeoutS` (default 5) before cutting them. */
  close(timeoutS?: number): Promise<void>
}

export function createDb(options: CreateDbOptions): DbHandle {
  assertDatabaseUrl(options.url)
  const max = positiveInteger(options.max ?? DEFAULT_POOL_MAX, 'max')
  const statementTimeoutMs = nonNegativeInteger(
    options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
    'statementTimeoutMs',
  )
  const connectTimeoutS = positiveNumber(options.connectTimeoutS ?? DEFAULT_CONNECT_TIMEOUT_S, 'connectTimeoutS')
  const idleTimeoutS = positiveNumber(options.idleTimeoutS ?? DEFAULT_IDLE_TIMEOUT_S, 'idleTimeoutS')

  const sql = postgres(options.url, {
    max,
    connect_timeout: connectTimeoutS,
    idle_timeout: idleTimeoutS,
    backoff: (retries: number) => (0.5 + Math.random() / 2) * Math.min(3 ** retries / 100, MAX_RECONNECT_BACKOFF_S),
    onnotice: options.onnotice ?? (() => {}),
    ...(options.onQuery ? { debug: debugTo(options.onQuery) } : {}),
    connection: {
      application_name: options.applicationName ?? 'guild',
      statement_timeout: statementTimeoutMs,
    },
  })
  const db = drizzle(sql, { schema })

  return {
    db,
    sql,
    stats: { permissionQueries: 0 },
    onPermissionQuery: options.onPermissionQuery,
    ping: async (timeoutMs = connectTimeoutS * 1000) => {
      let timer: NodeJS.Timeout | undefined
      const answered = sql`select 1 as ok`.then(
        () => true,
        () => false,
      )
      const timedOut = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs)
      })
      try {
        return await Promise.race([answered, timedOut])
      } finally {
        clearTimeout(timer)
      }
    },
    close: async (timeoutS = 5) => {
      await sql.end({ timeout: timeoutS })
    },
  }
}

function debugTo(onQuery: NonNullable<CreateDbOptions['onQuery']>) {
  return (_connection: number, query: string, parameters: unknown[]) => onQuery(query, parameters)
}

/**
 * Reads `DATABASE_POOL_MAX`: unset or empty gives `fallback` (10, or 1 against the embedded
 * Postgres); anything but an integer 1–100 is refused with a message naming the variable.
 */
export function poolMaxFromEnv(value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === '') return fallback
  const n = /^[0-9]+$/.test(value.trim()) ? Number(value.trim()) : NaN
  if (!Number.isInteger(n) || n < 1 || n > 100) {
    throw new DatabaseConfigError(
      `DATABASE_POOL_MAX must be an integer from 1 to 100, got "${value}"`,
      'DATABASE_POOL_MAX',
    )
  }
  return n
}

// The URL may hold a password: messages describe what is wrong without echoing it.
function assertDatabaseUrl(url: unknown): asserts url is string {
  const expected = 'expected postgres://user:password@host:5432/database'
  if (typeof url !== 'string' || url.trim() === '') {
    throw new DatabaseConfigError(`DATABASE_URL is empty; ${expected}`, 'DATABASE_URL')
  }
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new DatabaseConfigError(`DATABASE_URL is not a valid URL; ${expected}`, 'DATABASE_URL')
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new DatabaseConfigError(
      `DATABASE_URL must use the postgres:// or postgresql:// scheme, not ${parsed.protocol}//; ${expected}`,
      'DATABASE_URL',
    )
  }
  if (parsed.hostname === '' && !parsed.searchParams.has('host')) {
    throw new DatabaseConfigError(`DATABASE_URL names no host; ${expected}`, 'DATABASE_URL')
  }
}

function positiveInteger(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 1)
    throw new DatabaseConfigError(`${field} must be a positive integer, got ${value}`, field)
  return value
}

function nonNegativeInteger(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 0)
    throw new DatabaseConfigError(`${field} must be an integer ≥ 0, got ${value}`, field)
  return value
}

function positiveNumber(value: number, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new DatabaseConfigError(`${field} must be a positive number, got ${value}`, field)
  }
  return value
}
