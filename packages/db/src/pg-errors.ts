import postgres from 'postgres'

export const PG_UNIQUE_VIOLATION = '23505'
export const PG_FOREIGN_KEY_VIOLATION = '23503'
export const PG_CHECK_VIOLATION = '23514'

/**
 * The PostgreSQL error behind `error`. drizzle wraps driver errors in a DrizzleQueryError whose
 * `cause` is postgres.js's PostgresError, so callers must look through the chain to read `code`
 * and `constraint_name`.
 */
export function postgresErrorOf(error: unknown): postgres.PostgresError | undefined {
  let current = error
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (current instanceof postgres.PostgresError) return current
    current = current.cause
  }
  return undefined
}

/** True when `error` is a unique violation (of `constraint`, when given): e.g. a guild registered twice → 409. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const pg = postgresErrorOf(error)
  return pg?.code === PG_UNIQUE_VIOLATION && (constraint === undefined || pg.constraint_name === constraint)
}
