import t from 'tap'
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTestDatabase } from '@guild/testing'
import { createDb, migrate, MIGRATION_LOCK_KEY, MIGRATIONS_FOLDER, type DbHandle } from '../src/index.js'
import { journalEntries } from './helpers.js'

const TABLES = [
  'cache_outbox',
  'characters',
  'guild_members',
  'guild_settings',
  'guild_tool_permissions',
  'guilds',
  'sessions',
  'users',
]

const appliedCount = async (handle: DbHandle): Promise<number> =>
  Number((await handle.sql`select count(*)::int as n from drizzle.__drizzle_migrations`)[0]!.n)

const tablesOf = async (handle: DbHandle): Promise<string[]> =>
  (
    await handle.sql<
      { t: string }[]
    >`select table_name as t from information_schema.tables where table_schema = 'public' order by 1`
  ).map((r) => r.t)

t.test('one database for the file', async (t) => {
  const pg = await createTestDatabase('db_migrate')
  const handles: DbHandle[] = []
  const open = (max = 2) => {
    const h = createDb({ url: pg.url, max })
    handles.push(h)
    return h
  }
  t.teardown(async () => {
    await Promise.all(handles.map((h) => h.close()))
    await pg.drop()
  })

  await t.test('two processes migrating a fresh database at once both succeed, and it is migrated once', async (t) => {
    const processes = [open(), open(), open()]
    await Promise.all(processes.map((h) => migrate(h)))
    t.same(await tablesOf(processes[0]!), TABLES)
    t.equal(await appliedCount(processes[0]!), await journalEntries(), 'one bookkeeping row per committed migration')
  })

  await t.test('running it again changes nothing and keeps the data', async (t) => {
    const h = open()
    await h.sql`insert into users (bnet_id, battletag) values (1, 'Kept#1')`
    await migrate(h)
    await migrate(h)
    t.equal(await appliedCount(h), await journalEntries())
    t.same(await h.sql`select battletag from users`, [{ battletag: 'Kept#1' }])
  })

  await t.test('migrate waits for the advisory lock another process holds', async (t) => {
    const holder = open(1)
    const h = open()
    const locker = await holder.sql.reserve()
    await locker.unsafe(`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`)
    let done = false
    const running = migrate(h).then(() => (done = true))
    await new Promise((r) => setTimeout(r, 300))
    t.equal(done, false, 'still waiting while the lock is held')
    await locker.unsafe(`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`)
    locker.release()
    await running
    t.equal(done, true, 'went ahead once it was released')
  })

  await t.test('a failing migration rolls the whole run back', async (t) => {
    const folder = await mkdtemp(join(tmpdir(), 'guild-db-migrations-'))
    t.teardown(() => rm(folder, { recursive: true, force: true }))
    await cp(MIGRATIONS_FOLDER, folder, { recursive: true })
    const journalPath = join(folder, 'meta/_journal.json')
    const journal = JSON.parse(await readFile(journalPath, 'utf8')) as {
      entries: { idx: number; when: number; tag: string; version: string; breakpoints: boolean }[]
    }
    const last = journal.entries.at(-1)!
    journal.entries.push(
      { ...last, idx: last.idx + 1, when: last.when + 1, tag: '9998_ok' },
      { ...last, idx: last.idx + 2, when: last.when + 2, tag: '9999_broken' },
    )
    await writeFile(journalPath, JSON.stringify(journal))
    await writeFile(join(folder, '9998_ok.sql'), 'CREATE TABLE "would_be_kept" (id int);')
    await writeFile(join(folder, '9999_broken.sql'), 'ALTER TABLE "no_such_table" ADD COLUMN x int;')
    const h = open()
    const before = await appliedCount(h)
    await t.rejects(migrate(h, { migrationsFolder: folder }), {
      name: 'MigrationError',
      message: /rolled back.*no_such_table/,
    })
    t.equal(await appliedCount(h), before, 'no bookkeeping row added')
    t.notOk((await tablesOf(h)).includes('would_be_kept'), 'the migration before the broken one was rolled back too')
    t.same(
      await h.sql`select count(*)::int as n from pg_locks where locktype = 'advisory'`,
      [{ n: 0 }],
      'the lock went with the transaction',
    )
  })

  await t.test('a missing migrations folder is a MigrationError naming it', async (t) => {
    await t.rejects(migrate(open(), { migrationsFolder: '/nonexistent/migrations' }), {
      name: 'MigrationError',
      message: /\/nonexistent\/migrations/,
    })
  })

  await t.test('a bad timeout is refused', async (t) => {
    await t.rejects(migrate(open(), { timeoutMs: -1 }), { name: 'DatabaseConfigError', field: 'timeoutMs' })
  })
})
