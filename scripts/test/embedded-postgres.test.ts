import { mkdtemp, rm } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '@guild/testing'
import postgres from 'postgres'
import t from 'tap'
import { cleanEnv, runNode } from './helpers/node-process.js'

const READY = /embedded-postgres ready on postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres/

t.test('serves PGlite to two postgres.js clients at once, stops on SIGTERM and keeps its data', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'embedded-pg-'))
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  const port = await freePort()
  const env = cleanEnv({ EMBEDDED_PG_PORT: String(port), EMBEDDED_PG_DATA_DIR: dataDir })
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`

  const first = runNode('embedded-postgres.ts', env)
  t.teardown(() => first.child.kill('SIGKILL'))
  await first.waitFor(READY, 60_000)
  t.match(first.output(), `(data: ${dataDir})`)

  // A pool of one per client: PGlite runs one query at a time across every connection.
  const a = postgres(url, { max: 1, onnotice: () => {} })
  const b = postgres(url, { max: 1, onnotice: () => {} })
  await a`CREATE TABLE guild (id int PRIMARY KEY, name text NOT NULL)`
  await Promise.all([
    a.begin(async (sql) => {
      await sql`INSERT INTO guild VALUES (9001, 'Horde Vanguard')`
      await sql`INSERT INTO guild VALUES (9002, 'Kirin Tor Council')`
    }),
    b`INSERT INTO guild VALUES (9003, 'Third')`,
    ...Array.from({ length: 5 }, (_, i) => (i % 2 ? a : b)`SELECT ${i}::int AS n`),
  ])
  const [fromA, fromB] = await Promise.all([
    a`SELECT count(*)::int AS n FROM guild`,
    b`SELECT name FROM guild WHERE id = 9001`,
  ])
  t.equal(fromA[0]?.n, 3)
  t.equal(fromB[0]?.name, 'Horde Vanguard')
  await a.end()
  await b.end()

  first.child.kill('SIGTERM')
  const exit = await first.exited
  t.same(exit, { code: 0, signal: null }, 'a clean exit on SIGTERM')
  t.match(first.output(), 'embedded-postgres: stopped')

  const second = runNode('embedded-postgres.ts', env)
  t.teardown(() => second.child.kill('SIGKILL'))
  await second.waitFor(READY, 60_000)
  const c = postgres(url, { max: 1 })
  const rows = await c`SELECT id, name FROM guild ORDER BY id`
  await c.end()
  t.same(
    rows.map((r) => [r.id, r.name]),
    [
      [9001, 'Horde Vanguard'],
      [9002, 'Kirin Tor Council'],
      [9003, 'Third'],
    ],
    'the data survived the restart',
  )
  second.child.kill('SIGTERM')
  t.equal((await second.exited).code, 0)
})

t.test('a port in use stops it before it touches the data directory, naming EMBEDDED_PG_PORT', async (t) => {
  const blocker = createServer()
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => blocker.close(() => resolve())))
  const port = (blocker.address() as { port: number }).port
  const parent = await mkdtemp(join(tmpdir(), 'embedded-pg-'))
  t.teardown(() => rm(parent, { recursive: true, force: true }))
  const dataDir = join(parent, 'data')

  const proc = runNode(
    'embedded-postgres.ts',
    cleanEnv({ EMBEDDED_PG_PORT: String(port), EMBEDDED_PG_DATA_DIR: dataDir }),
  )
  const exit = await proc.exited
  t.equal(exit.code, 1)
  t.match(proc.output(), `port ${port} on 127.0.0.1 is already in use: set EMBEDDED_PG_PORT to a free port`)
  t.notOk(existsSync(dataDir), 'the data directory was not created')
})

t.test('a bad EMBEDDED_PG_PORT is named', async (t) => {
  const proc = runNode('embedded-postgres.ts', cleanEnv({ EMBEDDED_PG_PORT: 'five' }))
  t.equal((await proc.exited).code, 1)
  t.match(proc.output(), 'EMBEDDED_PG_PORT must be a TCP port from 1 to 65535, got "five"')
})
