import { createHash } from 'node:crypto'
import t from 'tap'
import { keysMatching, registerHordeVanguard, startHarness } from '../helpers/harness.js'

t.test('session tokens are stored only hashed: no column, key or cached value holds one', async (t) => {
  const h = await startHarness(t)
  const tokens = [await registerHordeVanguard(h), await h.login('Jaina#4567'), await h.login('Thrall#1234')]
  for (const token of tokens) t.equal((await h.as(token).get('/me')).statusCode, 200, 'the token works')

  // The sessions table: every column of every row, as text.
  const sessions = await h.app.db.sql`select * from sessions`
  t.equal(sessions.length, 3)
  const columns = Object.keys(sessions[0] ?? {})
  t.ok(columns.includes('token_hash'), `columns: ${columns.join(', ')}`)
  for (const row of sessions) {
    for (const [column, value] of Object.entries(row)) {
      for (const token of tokens) t.notMatch(String(value), token, `sessions.${column} does not hold a token`)
    }
  }
  t.same(
    sessions.map((r) => r.token_hash).sort(),
    tokens.map((tok) => createHash('sha256').update(tok).digest('hex')).sort(),
    'only their SHA-256',
  )

  // Every other table too, each row as text: a token copied anywhere would show.
  const tables = await h.app.db.sql<{ name: string }[]>`select table_name as name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE'`
  t.ok(tables.length >= 5, `${tables.length} tables`)
  for (const { name } of tables) {
    const rows = await h.app.db.sql.unsafe(`select t::text as row from "${name.replace(/"/g, '""')}" t`)
    for (const { row } of rows)
      for (const token of tokens) t.notOk(String(row).includes(token), `${name} holds no token`)
  }

  // Redis: the session keys are named by the hash, and neither keys nor values hold a token.
  const keys = await keysMatching(h)
  t.ok(
    keys.some((k) => k.startsWith('user:session:')),
    'sessions are cached',
  )
  for (const key of keys) {
    const value = (await h.redis?.redis.type(key)) === 'string' ? await h.redis?.redis.get(key) : ''
    for (const token of tokens) {
      t.notOk(key.includes(token), `key ${key} holds no token`)
      t.notOk(String(value).includes(token), `the value of ${key} holds no token`)
    }
  }
})

t.test('one keep-alive connection carrying several tokens: each request is its own token’s', async (t) => {
  // The session hook remembers the last token's digest per socket; another token on that socket must
  // never be taken for it (a proxy may multiplex users over one connection).
  const h = await startHarness(t)
  const thrall = await registerHordeVanguard(h)
  const jaina = await h.login('Jaina#4567')
  const { Client } = await import('undici')
  const client = new Client(h.url, { pipelining: 1, connections: 1 } as ConstructorParameters<typeof Client>[1])
  t.teardown(() => client.close())
  const me = async (token: string) => {
    const res = await client.request({ path: '/me', method: 'GET', headers: { authorization: `Bearer ${token}` } })
    const text = await res.body.text()
    return {
      status: res.statusCode,
      battletag: res.statusCode === 200 ? (JSON.parse(text) as { battletag: string }).battletag : undefined,
    }
  }
  const sockets = new Set<unknown>()
  client.on('connect', (_origin, targets) => sockets.add(targets))
  for (const [token, expected] of [
    [thrall, 'Thrall#1234'],
    [jaina, 'Jaina#4567'],
    [thrall, 'Thrall#1234'],
    [`${jaina.slice(0, -1)}${jaina.endsWith('A') ? 'B' : 'A'}`, undefined],
    [jaina, 'Jaina#4567'],
  ] as const) {
    const answer = await me(token)
    t.same(
      answer,
      expected === undefined ? { status: 401, battletag: undefined } : { status: 200, battletag: expected },
    )
  }
  t.equal(sockets.size, 1, 'all five went over one connection')
})
