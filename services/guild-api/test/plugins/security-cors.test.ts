import t from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { startHarness } from '../helpers/harness.js'

const FRONTENDS = ['https://app.example', 'http://localhost:5173']
const OTHERS = [
  'https://evil.example',
  'null',
  'https://app.example.evil.example',
  'https://evil.example.app.example',
  'http://app.example', // the right host on the wrong scheme
  'https://app.example:8443', // and on another port
  'https://app.example/', // not an origin: a URL
  'HTTPS://APP.EXAMPLE',
  'http://localhost:5174',
]

function grants(res: LightMyRequestResponse): Record<string, unknown> {
  return Object.fromEntries(Object.entries(res.headers).filter(([name]) => name.startsWith('access-control-')))
}

t.test('CORS with credentials for exactly CORS_ORIGINS: preflights and simple requests', async (t) => {
  const h = await startHarness(t, { permissionService: false, env: { CORS_ORIGINS: FRONTENDS.join(',') } })
  const token = await h.login('Thrall#1234')
  const preflight = (origin: string) =>
    h.inject({
      method: 'OPTIONS',
      url: '/guilds/9001/settings',
      headers: { origin, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type' },
    })

  for (const origin of FRONTENDS) {
    const res = await preflight(origin)
    t.equal(res.statusCode, 204, `preflight from ${origin}`)
    t.equal(res.headers['access-control-allow-origin'], origin, 'that origin, never *')
    t.equal(res.headers['access-control-allow-credentials'], 'true')
    t.match(res.headers['access-control-allow-methods'], /PUT/)
    t.match(res.headers['access-control-allow-headers'], /content-type/)
    t.match(res.headers.vary, /Origin/, 'caches keep answers per origin')

    const simple = await h.inject({ url: '/me', headers: { origin, cookie: `sid=${token}` } })
    t.equal(simple.statusCode, 200)
    t.equal(
      simple.headers['access-control-allow-origin'],
      origin,
      `a simple request from ${origin} may read the answer`,
    )
    t.equal(simple.headers['access-control-allow-credentials'], 'true')
    t.equal(simple.headers['access-control-expose-headers'], 'Retry-After', 'the app may read when to retry a 429')
  }

  for (const origin of OTHERS) {
    const res = await preflight(origin)
    t.same(grants(res), {}, `no CORS header at all for a preflight from ${origin}`)
    t.equal(res.statusCode, 404, 'the preflight is an unknown route to it')
    t.match(res.json(), { statusCode: 404, error: 'Not Found' })
    const simple = await h.inject({ url: '/me', headers: { origin, cookie: `sid=${token}` } })
    t.same(grants(simple), {}, `a simple request from ${origin} may not read the answer`)
    const write = await h.inject({ method: 'POST', url: '/auth/logout', headers: { origin, cookie: `sid=${token}` } })
    t.equal(write.statusCode, 403, `a simple POST with the cookie from ${origin} is refused`)
    t.same(grants(write), {})
  }
  t.equal((await h.as(token).get('/me')).statusCode, 200, 'the session survived every refused logout')
})

t.test('without CORS_ORIGINS no origin is granted anything, its own included', async (t) => {
  const h = await startHarness(t, { permissionService: false })
  for (const origin of [h.url, ...FRONTENDS, 'https://evil.example']) {
    const res = await h.inject({
      method: 'OPTIONS',
      url: '/me',
      headers: { origin, 'access-control-request-method': 'GET' },
    })
    t.same(grants(res), {}, `preflight from ${origin}`)
    t.not(res.statusCode, 204)
    const simple = await h.inject({ url: '/health/live', headers: { origin } })
    t.same(grants(simple), {}, `simple request from ${origin}`)
  }
})
