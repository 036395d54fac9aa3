import t from 'tap'
import { Browser } from '../helpers/browser.js'
import { keysMatching, registerHordeVanguard, startHarness, type Harness } from '../helpers/harness.js'

// Short timeouts so that "Battle.net hangs" costs a fraction of a second per attempt.
const FAST = { BNET_TIMEOUT_MS: '300', BNET_MAX_RETRIES: '2' }

async function demoteSaurfang(h: Harness): Promise<void> {
  await h.standin.edit((f) => {
    const entry = f.guilds[0]?.roster.find((m) => m.character_id === 5101)
    if (entry) entry.rank = 5
  })
}

async function saurfangRank(h: Harness): Promise<number> {
  const [row] = await h.app.db.sql`select rank from guild_members where character_id = 5101`
  return Number(row?.rank)
}

t.test('sync: 429, 500 and timeouts from Battle.net', async (t) => {
  const h = await startHarness(t, { env: FAST })
  const gm = h.as(await registerHordeVanguard(h))
  await demoteSaurfang(h)

  await h.standin.faults([{ path: '/data/wow/guild/', status: 429, retry_after: 1, times: 1 }])
  let started = Date.now()
  const retried = await gm.post('/guilds/9001/sync')
  t.same(retried.json(), { added: 0, removed: 0, rank_changed: 1 }, 'one 429, then the roster')
  t.ok(Date.now() - started >= 900, 'Retry-After: 1 was honoured')

  await h.standin.edit((f) => {
    const entry = f.guilds[0]?.roster.find((m) => m.character_id === 5101)
    if (entry) entry.rank = 1
  })
  await h.standin.faults([{ path: '/data/wow/guild/', status: 500 }])
  const down = await gm.post('/guilds/9001/sync')
  t.equal(down.statusCode, 503)
  t.match(down.json(), {
    statusCode: 503,
    error: 'Service Unavailable',
    message: /Battle\.net answered 500 to GET \/data\/wow\/guild\/area-52\/horde-vanguard\/roster/,
  })
  t.equal(await saurfangRank(h), 5, 'nothing half-written')

  await h.standin.faults([{ path: '/data/wow/guild/', delay_ms: 1_000 }])
  started = Date.now()
  const slow = await gm.post('/guilds/9001/sync')
  t.equal(slow.statusCode, 503)
  t.match(slow.json<{ message: string }>().message, /did not answer/)
  t.ok(Date.now() - started < 2_500, `bounded: three attempts of 300 ms (${Date.now() - started} ms)`)
  t.equal(await saurfangRank(h), 5)

  await h.standin.faults([])
  t.same(
    (await gm.post('/guilds/9001/sync')).json(),
    { added: 0, removed: 0, rank_changed: 1 },
    'Battle.net back: the sync works',
  )

  await h.standin.edit((f) => {
    f.guilds[0]!.name = 'Horde Vanguard Reborn'
  })
  const renamed = await gm.post('/guilds/9001/sync')
  t.equal(renamed.statusCode, 502, 'renamed on Battle.net: not a 404 for our registered guild')
  t.match(renamed.json<{ message: string }>().message, /renamed, moved or disbanded/)
  await h.standin.edit((f) => {
    f.guilds[0]!.name = 'Horde Vanguard'
    f.guilds[0]!.id = 9999
  })
  const recreated = await gm.post('/guilds/9001/sync')
  t.equal(recreated.statusCode, 502)
  t.match(recreated.json<{ message: string }>().message, /now belongs to guild 9999, not 9001/)
  t.equal(await saurfangRank(h), 1, 'nothing was applied')

  // Last, since a 429 pauses every call to Battle.net (every instance) for its Retry-After.
  await h.standin.faults([{ path: '/data/wow/guild/', status: 429, retry_after: 120 }])
  started = Date.now()
  const limited = await gm.post('/guilds/9001/sync')
  t.equal(limited.statusCode, 503)
  t.equal(limited.headers['retry-after'], '120', "Battle.net's Retry-After is passed on")
  t.ok(Date.now() - started < 1_000, 'a wait longer than the bound is not made')
  await h.standin.faults([])
  const paused = await gm.post('/guilds/9001/sync')
  t.equal(paused.statusCode, 503, 'paused: Battle.net is not asked again before its Retry-After')
  t.ok(
    Number(paused.headers['retry-after']) > 100,
    `the pause's remainder is the Retry-After (${String(paused.headers['retry-after'])})`,
  )
})

t.test('login: Battle.net failing writes nothing and says so', async (t) => {
  const h = await startHarness(t, { permissionService: false, env: FAST })
  await h.standin.faults([{ path: '/token', status: 503 }])
  const browser = new Browser()
  const res = await browser.get(`${h.url}/auth/login?login_hint=Thrall%231234`)
  t.equal(res.status, 503)
  t.match(res.json(), { statusCode: 503, message: /POST \/token \(authorization_code\)/ })
  t.notOk(browser.cookie('sid', h.url))
  t.equal((await h.app.db.sql`select count(*)::int as n from users`)[0]?.n, 0)

  await h.standin.faults([{ path: '/profile/', status: 500 }])
  const profile = await new Browser().get(`${h.url}/auth/login?login_hint=Thrall%231234`)
  t.equal(profile.status, 503)
  t.equal(
    (await h.app.db.sql`select count(*)::int as n from users`)[0]?.n,
    0,
    'userinfo worked, profile did not: still nothing written',
  )

  await h.standin.faults([{ path: '/token', status: 429, retry_after: 0, times: 1 }])
  const browser2 = new Browser()
  t.equal(
    (await browser2.get(`${h.url}/auth/login?login_hint=Thrall%231234`)).status,
    200,
    'a 429 on the code exchange is retried',
  )
  t.ok(browser2.cookie('sid', h.url))
})

t.test('registration: Battle.net failing registers nothing', async (t) => {
  const h = await startHarness(t, { permissionService: false, env: FAST })
  const thrall = h.as(await h.login('Thrall#1234'))
  await h.standin.faults([{ path: '/data/', status: 502 }])
  const res = await thrall.post('/guilds', { realm: 'area-52', name: 'Horde Vanguard' })
  t.equal(res.statusCode, 503)
  t.equal((await h.app.db.sql`select count(*)::int as n from guilds`)[0]?.n, 0)
  await h.standin.faults([{ path: '/token', status: 500 }])
  await h.standin.restart() // our token is revoked, and a new one cannot be had
  const noToken = await thrall.post('/guilds', { realm: 'area-52', name: 'Horde Vanguard' })
  t.equal(noToken.statusCode, 503, 'no application token: 503')
  t.match(noToken.json<{ message: string }>().message, /client_credentials/)
})

t.test('a revoked application token is dropped and fetched again', async (t) => {
  const h = await startHarness(t, { permissionService: false })
  const thrall = h.as(await h.login('Thrall#1234'))
  t.equal(
    (await thrall.post('/guilds', { realm: 'area-52', name: 'No Such Guild' })).statusCode,
    404,
    'fetches and caches the token',
  )
  const [key] = await keysMatching(h, 'cache:bnet:app-token:*')
  const before = await h.redis!.redis.get(key as string)
  t.ok(before)
  const ttl = await h.redis!.redis.ttl(key as string)
  t.ok(ttl > 80_000 && ttl <= 86_400, `kept until shortly before it expires (${ttl} s)`)

  await h.standin.restart() // forgets every token it issued
  t.equal((await thrall.post('/guilds', { realm: 'area-52', name: 'Horde Vanguard' })).statusCode, 201)
  t.not(await h.redis!.redis.get(key as string), before, 'a new token replaced it')
})

t.test('without BNET_CLIENT_ID login and registration answer 503 and say what to set', async (t) => {
  const h = await startHarness(t, { permissionService: false, env: { BNET_CLIENT_ID: '', BNET_CLIENT_SECRET: '' } })
  const res = await h.inject({ url: '/auth/login' })
  t.equal(res.statusCode, 503)
  t.match(res.json(), { statusCode: 503, message: /BNET_CLIENT_ID/ })
})
