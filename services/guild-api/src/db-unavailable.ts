/**
 * Errors that mean "the database cannot answer now" rather than "this request is wrong": the
 * connection could not be made or was lost (postgres.js codes, socket errors), the server is shutting
 * down or refusing connections, or the statement ran past its timeout. These answer 503, not 500.
 */
const UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '57014', // query_canceled (statement_timeout)
  '53300', // too_many_connections
])

export function isDatabaseUnavailable(error: unknown): boolean {
  let current = error
  // drizzle wraps the driver's error (DrizzleQueryError → PostgresError or a socket error): look through.
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string' && (UNAVAILABLE.has(code) || code.startsWith('08'))) return true
    current = (current as { cause?: unknown }).cause
  }
  return false
}

export const DATABASE_UNAVAILABLE_MESSAGE = 'the database is unavailable; try again shortly'
