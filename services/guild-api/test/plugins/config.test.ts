import t from 'tap'
import { buildApp } from '../../src/app.js'
import { apiBaseUrl, cookieSecret, corsOrigins } from '../../src/config.js'
import { startHarness } from '../helpers/harness.js'

const BASE = { LOG_LEVEL: 'silent', DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/never_used' }

t.test('a bad variable stops the start with a message naming it, never echoing a secret', async (t) => {
  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ BNET_REGION: 'xx' }, /BNET_REGION must be one of: us, eu, kr, tw/],
    [{ PUBLIC_URL: 'ftp://guild.example' }, /PUBLIC_URL is not valid \(expected an http\(s\) URL/],
    [{ PERMISSION_SERVICE_URL: 'permission-service:3001' }, /PERMISSION_SERVICE_URL/],
    [{ CORS_ORIGINS: 'https://a.example/path' }, /CORS_ORIGINS/],
    [{ BNET_API_URL: 'not a url' }, /BNET_API_URL/],
    [{ SESSION_TTL_S: '5' }, /SESSION_TTL_S/],
    [{ SETTINGS_MAX_BYTES: 'lots' }, /SETTINGS_MAX_BYTES/],
    [{ CACHE_BUS_CHANNEL: 'bus' }, /CACHE_BUS_CHANNEL/],
    [{ COOKIE_SECRET: 'hunter2-is-short' }, /COOKIE_SECRET must NOT have fewer than 32 characters/],
    [{ BNET_CLIENT_SECRET: '', BNET_TIMEOUT_MS: '5' }, /BNET_TIMEOUT_MS/],
    [{ ROSTER_SYNC_INTERVAL_S: '9' }, /ROSTER_SYNC_INTERVAL_S must be >= 10/],
    [{ ROSTER_SYNC_INTERVAL_S: '86401' }, /ROSTER_SYNC_INTERVAL_S must be <= 86400/],
    [{ ROSTER_SYNC_INTERVAL_S: 'hourly' }, /ROSTER_SYNC_INTERVAL_S/],
    [{ BNET_RATE_PER_S: '0' }, /BNET_RATE_PER_S/],
    [{ BNET_RATE_PER_HOUR: '1.5' }, /BNET_RATE_PER_HOUR/],
    [{ BNET_RATE_INSTANCES: '0' }, /BNET_RATE_INSTANCES/],
    [{ GUILD_WRITE_RATE_LIMIT_MAX: '0' }, /GUILD_WRITE_RATE_LIMIT_MAX/],
  ]
  for (const [env, message] of bad) {
    const err = await buildApp({ env: { ...BASE, ...env } }).then(
      () => undefined,
      (e: unknown) => e as Error,
    )
    t.ok(err, JSON.stringify(env))
    t.match(err?.message, message)
    for (const value of Object.values(env))
      if (value.length > 6) t.notMatch(err?.message, value, 'the value is not echoed')
  }
  const missing = await buildApp({ env: { LOG_LEVEL: 'silent' } }).catch((e: unknown) => e as Error)
  t.match((missing as Error).message, /DATABASE_URL is required/)
  const production = await buildApp({ env: { ...BASE, NODE_ENV: 'production' } }).catch((e: unknown) => e as Error)
  t.match((production as Error).message, /SERVICE_TOKEN is required when NODE_ENV=production/)
})

t.test('helpers: CORS origins, the cookie secret, the API URL per region', async (t) => {
  t.same(corsOrigins({ CORS_ORIGINS: 'https://a.example, http://b.example:8080' }), [
    'https://a.example',
    'http://b.example:8080',
  ])
  t.same(corsOrigins({}), [])
  const token = 'x'.repeat(40)
  t.equal(cookieSecret({}, token), cookieSecret({}, token), 'every instance derives the same secret')
  t.not(cookieSecret({}, token), cookieSecret({}, 'y'.repeat(40)))
  t.not(cookieSecret({}, token), token, 'not the token itself')
  t.equal(cookieSecret({ COOKIE_SECRET: 's'.repeat(32) }, token), 's'.repeat(32))
  t.equal(apiBaseUrl('https://{region}.api.blizzard.com', 'eu'), 'https://eu.api.blizzard.com')
  t.equal(apiBaseUrl('http://127.0.0.1:3002/', 'kr'), 'http://127.0.0.1:3002')
})

t.test("two instances with one SERVICE_TOKEN accept each other's login state", async (t) => {
  const h = await startHarness(t, { permissionService: false })
  const other = await buildApp({ env: h.env })
  t.teardown(() => other.close())
  const login = await h.inject({ url: '/auth/login?login_hint=Thrall%231234' })
  const back = await fetch(login.headers.location as string, { redirect: 'manual' })
  const callback = new URL(back.headers.get('location') as string)
  const cookie = (login.headers['set-cookie'] as string).split(';')[0] as string
  const done = await other.inject({ url: callback.pathname + callback.search, headers: { cookie } })
  t.equal(done.statusCode, 302, done.body)
  t.equal(done.headers.location, '/me')
})

t.test('CORS: credentials for exactly CORS_ORIGINS', async (t) => {
  const h = await startHarness(t, { permissionService: false, env: { CORS_ORIGINS: 'https://app.example' } })
  const preflight = await h.inject({
    method: 'OPTIONS',
    url: '/guilds/9001/settings',
    headers: { origin: 'https://app.example', 'access-control-request-method': 'PUT' },
  })
  t.equal(preflight.statusCode, 204)
  t.equal(preflight.headers['access-control-allow-origin'], 'https://app.example')
  t.equal(preflight.headers['access-control-allow-credentials'], 'true')
  t.match(preflight.headers['access-control-allow-methods'], /PUT/)
  const stranger = await h.inject({ url: '/health/live', headers: { origin: 'https://evil.example' } })
  t.notOk(stranger.headers['access-control-allow-origin'], 'another origin gets no CORS grant')

  const none = await startHarness(t, { permissionService: false })
  const sameOrigin = await none.inject({ url: '/health/live', headers: { origin: 'https://app.example' } })
  t.notOk(sameOrigin.headers['access-control-allow-origin'], 'without CORS_ORIGINS: same origin only')
})
