import t from 'tap'
import { AUTH, migratedDatabase, startService, TOKEN } from '../helpers/harness.js'

/** A request each /v1 route accepts, so that only the token decides. */
const VALID: Record<string, { url: string; payload?: object }> = {
  'GET /v1/check': { url: '/v1/check?guild_id=1&bnet_id=1&tool=roster' },
  'HEAD /v1/check': { url: '/v1/check?guild_id=1&bnet_id=1&tool=roster' },
  'POST /v1/check/batch': {
    url: '/v1/check/batch',
    payload: { checks: [{ guild_id: 1, bnet_id: 1, tool: 'roster' }] },
  },
}

const WRONG: Array<[name: string, headers: Record<string, string>]> = [
  ['no Authorization header', {}],
  ['a wrong token', { authorization: 'Bearer wrong-token-wrong-token' }],
  ['the token with a character more', { authorization: `Bearer ${TOKEN}x` }],
  ['the token with a character less', { authorization: `Bearer ${TOKEN.slice(0, -1)}` }],
  ['the token in another case', { authorization: `Bearer ${TOKEN.toUpperCase()}` }],
  ['the token without the scheme', { authorization: TOKEN }],
  ['the token as Basic', { authorization: `Basic ${TOKEN}` }],
  ['an empty bearer', { authorization: 'Bearer ' }],
  ['the development token', { authorization: 'Bearer guild-dev-service-token-not-for-production' }],
  ['the token in another header', { 'x-service-token': TOKEN }],
  ['the token in a cookie', { cookie: `token=${TOKEN}` }],
]

t.test('every /v1 route answers 401 with a missing or wrong token (routes read from the app)', async (t) => {
  const { pg } = await migratedDatabase(t)
  const app = await startService(t, { DATABASE_URL: pg.url })
  const v1 = app.routeCatalog.filter((r) => r.url.startsWith('/v1'))
  t.same(
    v1.map((r) => `${r.method} ${r.url}`).sort(),
    Object.keys(VALID).sort(),
    'the /v1 routes; a new one needs a request above',
  )
  const open = app.routeCatalog.filter(
    (r) => !r.url.startsWith('/v1') && r.method !== 'HEAD' && !r.url.startsWith('/docs'),
  )
  t.same(
    open.map((r) => `${r.method} ${r.url}`).sort(),
    ['GET /health/live', 'GET /health/ready', 'GET /metrics'],
    'the routes without a token',
  )

  for (const route of v1) {
    const request = VALID[`${route.method} ${route.url}`] as { url: string; payload?: object }
    const send = (headers: Record<string, string>) =>
      app.inject({
        method: route.method as 'GET',
        url: request.url,
        headers,
        ...(request.payload ? { payload: request.payload } : {}),
      })
    t.equal((await send(AUTH)).statusCode, 200, `${route.method} ${route.url} with the token`)
    for (const [name, headers] of WRONG) {
      const res = await send(headers)
      t.equal(res.statusCode, 401, `${route.method} ${route.url}, ${name}`)
      t.equal(res.headers['www-authenticate'], 'Bearer')
      if (route.method !== 'HEAD')
        t.match(res.json(), { statusCode: 401, error: 'Unauthorized', message: /service token/ })
    }
  }
})

t.test('every route that reads a body refuses one over its limit with 413', async (t) => {
  const { pg } = await migratedDatabase(t)
  const app = await startService(t, { DATABASE_URL: pg.url })
  const bodyRoutes = app.routeCatalog.filter((r) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method))
  t.same(
    bodyRoutes.map((r) => r.url),
    ['/v1/check/batch'],
  )
  for (const route of bodyRoutes) {
    const limit = route.bodyLimit ?? 1_048_576
    t.equal(limit, 64 * 1024, 'a batch of 100 checks is far below 64 KiB')
    const payload = `{"checks":[],"pad":"${'x'.repeat(limit)}"}`
    const res = await app.inject({
      method: route.method as 'POST',
      url: route.url,
      headers: { ...AUTH, 'content-type': 'application/json' },
      payload,
    })
    t.equal(res.statusCode, 413)
    t.match(res.json(), { statusCode: 413, error: 'Payload Too Large' })
  }
})
