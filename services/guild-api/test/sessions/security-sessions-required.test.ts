import t from 'tap'
import { startHarness } from '../helpers/harness.js'
import { pathOf, PUBLIC_ROUTE, sessionRoutes, STATE_CHANGING } from '../helpers/routes.js'

/** Ways to come without a working session. */
const NO_SESSION: Array<[name: string, headers: Record<string, string>]> = [
  ['nothing', {}],
  ['a bearer token never issued', { authorization: `Bearer ${'A'.repeat(43)}` }],
  ['a malformed bearer header', { authorization: 'Bearer' }],
  ['Basic credentials', { authorization: 'Basic dXNlcjpwYXNz' }],
  ['a sid cookie never issued', { cookie: `sid=${'B'.repeat(43)}` }],
  ['a garbled sid cookie', { cookie: 'sid=%E0%A4%A; sid=x' }],
]

t.test('every route but the public ones answers 401 without a valid session (routes read from the app)', async (t) => {
  const h = await startHarness(t, { permissionService: false, env: { CORS_ORIGINS: 'https://app.example' } })
  const routes = sessionRoutes(h.app)
  // The public ones, so that a new public route is a decision someone makes here, not an accident.
  const open = h.app.routeCatalog.filter((r) => !routes.includes(r)).map((r) => `${r.method} ${r.url}`)
  t.same(
    open.filter((r) => !r.startsWith('HEAD ') && !r.includes('/docs')).sort(),
    ['GET /auth/callback', 'GET /auth/login', 'GET /health/live', 'GET /health/ready', 'GET /metrics', 'OPTIONS *'],
    'the routes that need no session',
  )
  t.ok(open.every((r) => PUBLIC_ROUTE.test(r.split(' ')[1] as string)))
  t.ok(routes.length >= 15, `${routes.length} routes need a session`)
  t.ok(
    routes.some((r) => r.url === '/auth/logout'),
    'POST /auth/logout needs one though it is under /auth',
  )

  for (const route of routes) {
    for (const [name, headers] of NO_SESSION) {
      const withOrigin = STATE_CHANGING.has(route.method) ? { origin: h.url } : {}
      const res = await h.inject({
        method: route.method,
        url: pathOf(route),
        headers: { ...headers, ...withOrigin },
      })
      t.equal(res.statusCode, 401, `${route.method} ${route.url} with ${name}`)
      t.equal(res.headers['www-authenticate'], 'Bearer')
      if (route.method !== 'HEAD') t.match(res.json(), { statusCode: 401, error: 'Unauthorized', message: /session/ })
    }
  }
})

t.test('an expired or logged-out session is refused everywhere too', async (t) => {
  const h = await startHarness(t, { permissionService: false })
  const expired = await h.login('Thrall#1234')
  const loggedOut = await h.login('Thrall#1234')
  t.equal((await h.as(loggedOut).post('/auth/logout')).statusCode, 204)
  await h.app.db.sql`update sessions set expires_at = now() - interval '1 second'`
  await h.redis?.redis.flushdb()
  for (const route of sessionRoutes(h.app)) {
    for (const token of [expired, loggedOut]) {
      const res = await h.inject({
        method: route.method,
        url: pathOf(route),
        headers: { authorization: `Bearer ${token}` },
      })
      t.equal(res.statusCode, 401, `${route.method} ${route.url}`)
    }
  }
})
