import t, { type Test } from 'tap'
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTestDatabase, freePort } from '@guild/testing'
import { createDb, migrate, MIGRATIONS_FOLDER, waitForSchema, type DbHandle } from '../src/index.js'

/** The committed migrations plus one more, as a newer build would ship them. */
async function folderWithOneMore(t: Test): Promise<{ folder: string; committed: number }> {
  const folder = await mkdtemp(join(tmpdir(), 'guild-db-migrations-'))
  t.teardown(() => rm(folder, { recursive: true, force: true }))
  await cp(MIGRATIONS_FOLDER, folder, { recursive: true })
  const journalPath = join(folder, 'meta/_journal.json')
  const journal = JSON.parse(await readFile(journalPath, 'utf8')) as {
    entries: { idx: number; when: number; tag: string }[]
  }
  const committed = journal.entries.length
  const last = journal.entries.at(-1)!
  journal.entries.push({ ...last, idx: last.idx + 1, when: last.when + 1000, tag: '9999_newer' })
  await writeFile(journalPath, JSON.stringify(journal))
  await writeFile(join(folder, '9999_newer.sql'), 'CREATE TABLE "newer" (id int);')
  return { folder, committed }
}

t.test('waitForSchema', async (t) => {
  const handles: DbHandle[] = []
  const dbs: { drop(): Promise<void> }[] = []
  const fresh = async () => {
    const pg = await createTestDatabase('db_wait')
    dbs.push(pg)
    const reader = createDb({ url: pg.url, max: 1 })
    const migrator = createDb({ url: pg.url, max: 1 })
    handles.push(reader, migrator)
    return { reader, migrator }
  }
  t.teardown(async () => {
    await Promise.all(handles.map((h) => h.close()))
    await Promise.all(dbs.map((d) => d.drop()))
  })

  await t.test('waits for a migration run that starts after it, then resolves', async (t) => {
    const { reader, migrator } = await fresh()
    let resolvedAt = 0
    const waiting = waitForSchema(reader, { timeoutMs: 10_000, intervalMs: 25 }).then(() => (resolvedAt = Date.now()))
    await new Promise((r) => setTimeout(r, 200))
    t.equal(resolvedAt, 0, 'not ready before anyone migrated')
    await migrate(migrator)
    const migratedAt = Date.now()
    await waiting
    t.ok(resolvedAt >= migratedAt, 'resolved after the migration committed')
    t.ok(resolvedAt - migratedAt < 1000, 'and soon after')
  })

  await t.test('times out with a clear error on a database nobody migrates', async (t) => {
    const { reader } = await fresh()
    const started = Date.now()
    await t.rejects(waitForSchema(reader, { timeoutMs: 300, intervalMs: 50 }), {
      name: 'SchemaNotReadyError',
      message: /database schema not ready after 300 ms: no migration applied yet.*guild-api applies the migrations/,
    })
    t.ok(Date.now() - started < 2000, 'gave up on time')
  })

  await t.test('counts a partly migrated database as not ready, and one ahead of this build as ready', async (t) => {
    const { reader, migrator } = await fresh()
    await migrate(migrator)
    const { folder: newer, committed } = await folderWithOneMore(t)
    await t.rejects(waitForSchema(reader, { timeoutMs: 200, intervalMs: 50, migrationsFolder: newer }), {
      name: 'SchemaNotReadyError',
      message: `${committed} of ${committed + 1} committed migrations applied`,
    })
    await migrate(migrator, { migrationsFolder: newer })
    await waitForSchema(reader, { timeoutMs: 1000, migrationsFolder: newer })
    await waitForSchema(reader, { timeoutMs: 1000 })
    t.pass('a database migrated by a newer build satisfies the older one')
  })

  await t.test('an unreachable database times out with the reason', async (t) => {
    const down = createDb({ url: `postgres://postgres@127.0.0.1:${await freePort()}/none`, max: 1 })
    handles.push(down)
    await t.rejects(waitForSchema(down, { timeoutMs: 200, intervalMs: 50 }), {
      name: 'SchemaNotReadyError',
      message: /did not answer: .*ECONNREFUSED/,
    })
  })

  await t.test('a missing migrations folder is reported, not waited on', async (t) => {
    const { reader } = await fresh()
    await t.rejects(waitForSchema(reader, { migrationsFolder: '/nonexistent/migrations' }), {
      name: 'SchemaNotReadyError',
      message: /cannot read the committed migrations in \/nonexistent\/migrations/,
    })
  })
})
