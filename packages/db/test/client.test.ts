import t from 'tap'
import { createServer, type Socket } from 'node:net'
import { createTestDatabase, freePort } from '@guild/testing'
import { createDb, DatabaseConfigError, poolMaxFromEnv, type DbHandle } from '../src/index.js'

t.test('a bad DATABASE_URL is refused with a message naming it and no secret in it', async (t) => {
  const cases = [
    '',
    '   ',
    'not a url',
    'http://user:s3cret@host/db',
    'mysql://user:s3cret@host/db',
    'postgres:///db?user=x',
  ]
  for (const url of cases) {
    t.throws(
      () => createDb({ url }),
      { name: 'DatabaseConfigError', field: 'DATABASE_URL', message: /^DATABASE_URL / },
      JSON.stringify(url),
    )
    try {
      createDb({ url })
    } catch (error) {
      t.notMatch((error as Error).message, /s3cret/, 'the password is not echoed')
    }
  }
  t.throws(() => createDb({ url: undefined as unknown as string }), DatabaseConfigError)
})

t.test('bad pool options are refused by name', async (t) => {
  const url = 'postgres://postgres@127.0.0.1:5432/test'
  t.throws(() => createDb({ url, max: 0 }), { name: 'DatabaseConfigError', field: 'max' })
  t.throws(() => createDb({ url, max: 1.5 }), { name: 'DatabaseConfigError', field: 'max' })
  t.throws(() => createDb({ url, statementTimeoutMs: -1 }), {
    name: 'DatabaseConfigError',
    field: 'statementTimeoutMs',
  })
  t.throws(() => createDb({ url, connectTimeoutS: 0 }), { name: 'DatabaseConfigError', field: 'connectTimeoutS' })
  t.throws(() => createDb({ url, idleTimeoutS: Number.NaN }), { name: 'DatabaseConfigError', field: 'idleTimeoutS' })
})

t.test('poolMaxFromEnv', async (t) => {
  t.equal(poolMaxFromEnv(undefined, 10), 10)
  t.equal(poolMaxFromEnv('', 1), 1)
  t.equal(poolMaxFromEnv(' 25 ', 10), 25)
  for (const bad of ['0', '101', '-1', '1.5', 'ten', '1e2']) {
    t.throws(
      () => poolMaxFromEnv(bad, 10),
      { name: 'DatabaseConfigError', field: 'DATABASE_POOL_MAX', message: /DATABASE_POOL_MAX must be/ },
      bad,
    )
  }
})

t.test('against a live database', async (t) => {
  const pg = await createTestDatabase('db_client')
  const handles: DbHandle[] = []
  const open = (options: Partial<Parameters<typeof createDb>[0]> = {}) => {
    const h = createDb({ url: pg.url, max: 1, ...options })
    handles.push(h)
    return h
  }
  t.teardown(async () => {
    await Promise.all(handles.map((h) => h.close()))
    await pg.drop()
  })

  await t.test('ping answers true', async (t) => {
    t.equal(await open().ping(), true)
  })

  await t.test('the statement timeout is set on every connection from the start, 5 s by default', async (t) => {
    const h = open({ max: 3 })
    const shows = await Promise.all(
      [1, 2, 3].map(() =>
        h.sql.begin((tx) => tx`select current_setting('statement_timeout') as v, pg_backend_pid() as pid`),
      ),
    )
    t.equal(new Set(shows.map(([row]) => row!.pid)).size, 3, 'three connections')
    t.same(
      shows.map(([row]) => row!.v),
      ['5s', '5s', '5s'],
    )
  })

  await t.test('a statement running past the timeout is cancelled by the server', async (t) => {
    const h = open({ statementTimeoutMs: 150 })
    const started = Date.now()
    await t.rejects(h.sql`select pg_sleep(3)`, { code: '57014' })
    t.ok(Date.now() - started < 2000)
  })

  await t.test('application_name and the pool size are as asked', async (t) => {
    const h = open({ applicationName: 'guild-test', max: 4 })
    t.same(await h.sql`select current_setting('application_name') as v`, [{ v: 'guild-test' }])
    t.equal(h.sql.options.max, 4)
  })
})

t.test('ping is false, quickly, when the database is unreachable', async (t) => {
  const h = createDb({ url: `postgres://postgres@127.0.0.1:${await freePort()}/none`, max: 1 })
  t.teardown(() => h.close())
  const started = Date.now()
  t.equal(await h.ping(), false)
  t.ok(Date.now() - started < 2000, `answered in ${Date.now() - started} ms, within the 2 s connect timeout`)
})

t.test('a server that accepts but never answers fails within the connect timeout, not 30 s', async (t) => {
  const sockets = new Set<Socket>()
  const silent = createServer((socket) => {
    sockets.add(socket)
    socket.on('error', () => {})
  })
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  const port = (silent.address() as { port: number }).port
  const h = createDb({ url: `postgres://postgres@127.0.0.1:${port}/none`, max: 1, connectTimeoutS: 0.5 })
  t.teardown(async () => {
    for (const s of sockets) s.destroy()
    await new Promise((resolve) => silent.close(resolve))
    await h.close(0)
  })

  let started = Date.now()
  await t.rejects(h.sql`select 1`, { code: 'CONNECT_TIMEOUT' })
  const elapsed = Date.now() - started
  t.ok(elapsed >= 400 && elapsed < 2000, `gave up after ${elapsed} ms`)

  started = Date.now()
  t.equal(await h.ping(5000), false)
  t.ok(Date.now() - started < 2000, 'ping, too, is bounded by the connect timeout')
  started = Date.now()
  t.equal(await h.ping(100), false)
  t.ok(Date.now() - started < 400, 'and by its own deadline when shorter')
})
