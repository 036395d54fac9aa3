import { randomBytes } from 'node:crypto'
import postgres from 'postgres'

export const TEST_PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

export interface TestPgDb {
  /** The database's name. */
  name: string
  /** A URL to it. */
  url: string
  /** Drops the database (terminating any connection still open to it). */
  drop(): Promise<void>
}

/** Creates an empty Postgres database for one test file, so that test files can run in parallel. */
export async function createTestDatabase(label = 't'): Promise<TestPgDb> {
  const name = `${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(5).toString('hex')}`
  const admin = postgres(TEST_PG_ADMIN_URL, { max: 1, onnotice: () => {} })
  try {
    await admin.unsafe(`CREATE DATABASE "${name}"`)
  } finally {
    await admin.end()
  }
  const url = new URL(TEST_PG_ADMIN_URL)
  url.pathname = `/${name}`
  return {
    name,
    url: url.toString(),
    drop: async () => {
      const admin2 = postgres(TEST_PG_ADMIN_URL, { max: 1, onnotice: () => {} })
      try {
        await admin2.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
      } finally {
        await admin2.end()
      }
    },
  }
}
