import { createHash } from 'node:crypto'
import t from 'tap'
import { Browser } from '../helpers/browser.js'
import { startHarness } from '../helpers/harness.js'

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

t.test('a browser logs in with Battle.net and lands on /me with a session cookie', async (t) => {
  const h = await startHarness(t, { permissionService: false, env: { CORS_ORIGINS: 'http://app.example:8080' } })
  const browser = new Browser()
  const res = await browser.get(`${h.url}/auth/login?login_hint=${encodeURIComponent('Rokhan#3456')}`)

  t.equal(res.status, 200)
  t.equal(res.url, `${h.url}/me`, 'the default redirect is /me')
  const authorize = new URL(browser.trail[1] as string)
  t.equal(`${authorize.origin}${authorize.pathname}`, `${h.standin.url}/authorize`, 'sent to Battle.net')
  t.equal(authorize.searchParams.get('client_id'), 'standin')
  t.equal(authorize.searchParams.get('redirect_uri'), `${h.url}/auth/callback`)
  t.equal(authorize.searchParams.get('scope'), 'openid wow.profile')
  t.equal(authorize.searchParams.get('response_type'), 'code')
  t.equal(authorize.searchParams.get('login_hint'), 'Rokhan#3456', 'login_hint passed on')
  t.match(authorize.searchParams.get('state'), /^[A-Za-z0-9_-]{32}$/)

  t.same(res.json(), {
    bnet_id: 100003,
    battletag: 'Rokhan#3456',
    characters: [
      { id: 5201, name: 'Rokhan', realm: 'area-52', level: 80 },
      { id: 5202, name: 'Zentabra', realm: 'area-52', level: 72 },
    ],
    guilds: [],
  })

  const sid = browser.cookie('sid', h.url)
  t.ok(sid, 'sid cookie set')
  t.match(sid?.value, /^[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url')
  t.equal(sid?.httpOnly, true)
  t.equal(sid?.sameSite, 'lax')
  t.equal(sid?.path, '/')
  t.equal(sid?.secure, false, 'no Secure over http')
  t.notOk(browser.cookie('oauth_state', h.url), 'the state cookie is gone once used')

  // Stored hashed, with an expiry; cached under the hash for at most 600 s.
  const token = sid?.value as string
  const rows = await h.app.db
    .sql`select token_hash, bnet_id, (extract(epoch from expires_at) * 1000)::float8 as expires_ms from sessions`
  t.equal(rows.length, 1)
  t.equal(rows[0]?.token_hash, sha256(token))
  t.equal(Number(rows[0]?.bnet_id), 100003)
  t.ok(Number(rows[0]?.expires_ms) > Date.now() + 6 * 86_400_000, 'expires in SESSION_TTL_S (7 days)')
  const key = `user:session:${sha256(token)}`
  const ttl = await h.redis?.redis.ttl(key)
  t.ok(ttl !== undefined && ttl > 590 && ttl <= 600, `session key TTL ${ttl}`)
  t.same(JSON.parse((await h.redis?.redis.get(key)) as string), {
    bnet_id: 100003,
    expires_at: new Date(Number(rows[0]?.expires_ms)).toISOString(),
  })

  // The same token works as a bearer token.
  const viaBearer = await h.as(token).get('/me')
  t.equal(viaBearer.statusCode, 200)
  t.equal(viaBearer.json<{ bnet_id: number }>().bnet_id, 100003)

  // A redirect to a local path, or to an allowed frontend origin.
  const local = await new Browser().get(
    `${h.url}/auth/login?login_hint=100001&redirect=${encodeURIComponent('/guilds/9001?x=1')}`,
  )
  t.equal(local.url, `${h.url}/guilds/9001?x=1`)
  const front = new Browser()
  const away = await front.get(
    `${h.url}/auth/login?login_hint=100001&redirect=${encodeURIComponent('http://app.example:8080/welcome')}`,
    {
      follow: (next) => next.hostname === '127.0.0.1',
    },
  )
  t.equal(away.status, 302)
  t.equal(away.headers.location, 'http://app.example:8080/welcome', 'sent on to the frontend')
  t.ok(front.cookie('sid', h.url), 'with a session')
})

t.test('without a login_hint Battle.net shows its user picker', async (t) => {
  const h = await startHarness(t, { permissionService: false })
  const res = await new Browser().get(`${h.url}/auth/login`)
  t.equal(res.status, 200)
  t.match(res.headers['content-type'], /text\/html/)
  t.match(res.body, /Thrall#1234/)
})

t.test('redirects that leave guild-api and its frontends are refused', async (t) => {
  const h = await startHarness(t, { permissionService: false, env: { CORS_ORIGINS: 'https://app.example' } })
  for (const redirect of [
    '//evil.example/x',
    '/\\evil.example',
    'https://evil.example/',
    'https://app.example.evil.example/',
    'javascript:alert(1)',
    'me',
    '/a\nb',
  ]) {
    const res = await h.inject({ url: `/auth/login?redirect=${encodeURIComponent(redirect)}` })
    t.equal(res.statusCode, 400, redirect)
    t.match(res.json(), { statusCode: 400, error: 'Bad Request', message: /redirect/ })
    t.notOk(res.headers['set-cookie'], 'no state cookie for a refused login')
  }
  const ok = await h.inject({ url: `/auth/login?redirect=${encodeURIComponent('https://app.example/after')}` })
  t.equal(ok.statusCode, 302)
})

t.test('the state is checked once: replayed, forged or missing → 400', async (t) => {
  const h = await startHarness(t, { permissionService: false })
  const browser = new Browser()
  // Stop at Battle.net's redirect back, so the callback can be sent (and replayed) by hand.
  const start = await browser.get(`${h.url}/auth/login?login_hint=Thrall%231234`, { follow: false })
  t.equal(start.status, 302)
  const back = await browser.get(start.headers.location as string, { follow: false })
  const callback = back.headers.location as string
  t.match(callback, `${h.url}/auth/callback?code=`)
  const stateCookie = browser.cookie('oauth_state', h.url)
  t.ok(stateCookie?.httpOnly, 'state cookie is HttpOnly')
  t.equal(stateCookie?.path, '/auth')
  const cookie = `oauth_state=${stateCookie?.value}`

  const forged = new URL(callback)
  forged.searchParams.set('state', 'not-the-state')
  const wrong = await h.inject({ url: forged.pathname + forged.search, headers: { cookie } })
  t.equal(wrong.statusCode, 400)
  t.match(wrong.json<{ message: string }>().message, /state does not match/)

  const noCookie = await h.inject({ url: new URL(callback).pathname + new URL(callback).search })
  t.equal(noCookie.statusCode, 400)
  t.match(noCookie.json<{ message: string }>().message, /state/)

  const tampered = await h.inject({
    url: new URL(callback).pathname + new URL(callback).search,
    headers: { cookie: `${cookie}x` },
  })
  t.equal(tampered.statusCode, 400, 'a cookie whose signature does not match')

  const first = await h.inject({ url: new URL(callback).pathname + new URL(callback).search, headers: { cookie } })
  t.equal(first.statusCode, 302, first.body)
  t.equal(first.headers.location, '/me')
  const replay = await h.inject({ url: new URL(callback).pathname + new URL(callback).search, headers: { cookie } })
  t.equal(replay.statusCode, 400)
  t.match(replay.json<{ message: string }>().message, /used already/)
  t.equal((await h.app.db.sql`select count(*)::int as n from sessions`)[0]?.n, 1, 'one session, not two')
})

t.test('a bad code, a refused login and missing parameters are 400', async (t) => {
  const h = await startHarness(t, { permissionService: false })
  const browser = new Browser()
  const start = await browser.get(`${h.url}/auth/login?login_hint=Thrall%231234`, { follow: false })
  const state = new URL(start.headers.location as string).searchParams.get('state') as string
  const cookie = `oauth_state=${browser.cookie('oauth_state', h.url)?.value}`

  const badCode = await h.inject({ url: `/auth/callback?code=forged&state=${state}`, headers: { cookie } })
  t.equal(badCode.statusCode, 400)
  t.match(badCode.json<{ message: string }>().message, /code/)
  t.equal((await h.app.db.sql`select count(*)::int as n from users`)[0]?.n, 0, 'nothing written')

  const denied = await h.inject({ url: '/auth/callback?error=access_denied&state=x' })
  t.equal(denied.statusCode, 400)
  t.match(denied.json<{ message: string }>().message, /access_denied/)
  t.match(
    (await h.inject({ url: '/auth/callback?code=abc' })).json<{ message: string }>().message,
    /querystring\/state/,
  )
  t.match(
    (await h.inject({ url: '/auth/callback?state=abc' })).json<{ message: string }>().message,
    /querystring\/code/,
  )
})

t.test('logout ends the session at once', async (t) => {
  const h = await startHarness(t, { permissionService: false })
  const token = await h.login('Thrall#1234')
  const other = await h.login('Thrall#1234')
  t.equal((await h.as(token).get('/me')).statusCode, 200)
  const key = `user:session:${sha256(token)}`
  t.equal(await h.redis?.redis.exists(key), 1)

  const out = await h.as(token).post('/auth/logout')
  t.equal(out.statusCode, 204)
  t.match(out.headers['set-cookie'], /sid=;/, 'the cookie is cleared')
  t.equal(await h.redis?.redis.exists(key), 0, 'its cache entry is gone')
  t.equal(await h.redis?.redis.exists('user:profile:100001'), 0, "the user's cached profile is gone")
  const after = await h.as(token).get('/me')
  t.equal(after.statusCode, 401)
  t.same(Object.keys(after.json()).sort(), ['error', 'message', 'statusCode'])
  t.equal((await h.as(token).post('/auth/logout')).statusCode, 401, 'logging out twice')
  t.equal((await h.as(undefined).post('/auth/logout')).statusCode, 401, 'logout needs a session')
  t.equal((await h.as(other).get('/me')).statusCode, 200, 'the other session lives on')
  t.equal((await h.app.db.sql`select count(*)::int as n from sessions`)[0]?.n, 1)
})

t.test('sessions that are unknown, malformed or expired are 401; the cookie works like the header', async (t) => {
  const h = await startHarness(t, { permissionService: false })
  const token = await h.login('Saurfang#2345')
  t.equal((await h.inject({ url: '/me', headers: { cookie: `sid=${token}` } })).statusCode, 200, 'cookie')
  t.equal((await h.inject({ url: '/me', headers: { cookie: 'sid=short' } })).statusCode, 401)
  t.equal((await h.as('A'.repeat(43)).get('/me')).statusCode, 401, 'well-formed but unknown')
  const basic = await h.inject({ url: '/me', headers: { authorization: 'Basic abc' } })
  t.equal(basic.statusCode, 401)
  t.equal(basic.headers['www-authenticate'], 'Bearer')

  // Expire it in the database and drop the cached copy: the next request is refused.
  await h.app.db.sql`update sessions set expires_at = now() - interval '1 second'`
  await h.app.cache.delete(`user:session:${sha256(token)}`)
  t.equal((await h.as(token).get('/me')).statusCode, 401, 'expired')
})

t.test('with an https PUBLIC_URL the cookies are Secure', async (t) => {
  const h = await startHarness(t, { permissionService: false, env: { PUBLIC_URL: 'https://guild.example' } })
  const login = await h.inject({ url: '/auth/login?login_hint=Thrall%231234' })
  t.equal(login.statusCode, 302)
  t.match(login.headers['set-cookie'], /oauth_state=.*; Secure/)
  const authorize = new URL(login.headers.location as string)
  t.equal(authorize.searchParams.get('redirect_uri'), 'https://guild.example/auth/callback')
  const back = await fetch(authorize, { redirect: 'manual' })
  const callback = new URL(back.headers.get('location') as string)
  t.equal(callback.origin, 'https://guild.example')
  const cookie = (login.headers['set-cookie'] as string).split(';')[0] as string
  const done = await h.inject({ url: callback.pathname + callback.search, headers: { cookie } })
  t.equal(done.statusCode, 302, done.body)
  const setCookies = [done.headers['set-cookie']].flat().join('\n')
  t.match(setCookies, /sid=[A-Za-z0-9_-]{43};.*HttpOnly/)
  t.match(setCookies, /sid=[^\n]*Secure/)
  t.match(setCookies, /sid=[^\n]*SameSite=Lax/)
})
