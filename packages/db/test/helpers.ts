import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Test } from 'tap'
import { createTestDatabase, type TestPgDb } from '@guild/testing'
import {
  createDb,
  guildMembers,
  guilds,
  guildToolPermissions,
  migrate,
  MIGRATIONS_FOLDER,
  users,
  type CreateDbOptions,
  type DbHandle,
} from '../src/index.js'

export interface TestDb {
  handle: DbHandle
  pg: TestPgDb
}

/** A fresh database for this test file, migrated, dropped (with the pool closed) at teardown. */
export async function migratedDb(t: Test, label: string, options: Partial<CreateDbOptions> = {}): Promise<TestDb> {
  const pg = await createTestDatabase(label)
  const handle = createDb({ url: pg.url, max: 2, ...options })
  t.teardown(async () => {
    await handle.close()
    await pg.drop()
  })
  await migrate(handle)
  return { handle, pg }
}

let nextCharacterId = 7_000_000

export async function addUser(handle: DbHandle, bnetId: number): Promise<void> {
  await handle.db.insert(users).values({ bnetId, battletag: `User${bnetId}#1234` })
}

export async function addGuild(handle: DbHandle, id: number, tools: Record<string, number> = {}): Promise<void> {
  await handle.db
    .insert(guilds)
    .values({ id, region: 'us', realmSlug: 'area-52', nameSlug: `guild-${id}`, name: `Guild ${id}`, faction: 'HORDE' })
  const rows = Object.entries(tools).map(([tool, maxRank]) => ({ guildId: id, tool, maxRank }))
  if (rows.length > 0) await handle.db.insert(guildToolPermissions).values(rows)
}

/** Puts a character of `bnetId` (null: a character that belongs to no user of ours) in the roster. */
export async function addMember(
  handle: DbHandle,
  guildId: number,
  bnetId: number | null,
  rank: number,
): Promise<number> {
  const characterId = nextCharacterId++
  await handle.db
    .insert(guildMembers)
    .values({ guildId, characterId, name: `Char${characterId}`, realm: 'area-52', level: 80, classId: 1, rank, bnetId })
  return characterId
}

/** How many migrations a folder's journal commits (the committed ones by default). */
export async function journalEntries(folder = MIGRATIONS_FOLDER): Promise<number> {
  return (JSON.parse(await readFile(join(folder, 'meta/_journal.json'), 'utf8')) as { entries: unknown[] }).entries
    .length
}
