import t from 'tap'
import { registerHordeVanguard, startHarness } from '../helpers/harness.js'
import { pathOf, STATE_CHANGING } from '../helpers/routes.js'

const FRONTEND = 'https://app.example'

/** A body each route takes, so that what answers is the CSRF check (or the route itself once past it). */
const BODIES: Record<string, unknown> = {
  'POST /guilds': { realm: 'area-52', name: 'Horde Vanguard' },
  'PUT /guilds/:guild_id/permissions': { tools: { roster: 9, settings: 1, sync: 1 } },
  'PUT /guilds/:guild_id/settings': { motd: 'changed' },
}

/** Headers of requests another site makes a browser send (the cookie rides along). */
const FORGED: Array<[name: string, headers: Record<string, string>]> = [
  ['Origin of another site', { origin: 'https://evil.example' }],
  ['Origin: null (a sandboxed frame)', { origin: 'null' }],
  ['an Origin that only starts like the frontend', { origin: `${FRONTEND}.evil.example` }],
  ['the frontend on another scheme', { origin: 'http://app.example' }],
  ['an Origin written oddly', { origin: `${FRONTEND}/` }],
  ['no Origin, a Referer from another site', { referer: 'https://evil.example/page' }],
  ['no Origin, a Referer that only starts like the frontend', { referer: `${FRONTEND}.evil.example/x` }],
  ['no Origin, an unreadable Referer', { referer: 'not a url' }],
  ['neither Origin nor Referer', {}],
  ['an allowed Referer but another site’s Origin', { origin: 'https://evil.example', referer: `${FRONTEND}/page` }],
]

t.test('a state-changing request with the session cookie from any other origin is refused (403)', async (t) => {
  // Every forged logout counts against /auth/*'s limit (security-rate-limit tests that): leave room.
  const h = await startHarness(t, { env: { CORS_ORIGINS: FRONTEND, AUTH_RATE_LIMIT_MAX: '1000' } })
  const thrall = await registerHordeVanguard(h)
  const routes = h.app.routeCatalog.filter((r) => STATE_CHANGING.has(r.method))
  t.ok(routes.length >= 5, `${routes.length} state-changing routes, from the app's catalog`)
  const settingsBefore = (await h.as(thrall).get('/guilds/9001/settings')).json()

  const send = (route: (typeof routes)[number], headers: Record<string, string>) => {
    const body = BODIES[`${route.method} ${route.url}`]
    return h.inject({
      method: route.method,
      url: pathOf(route),
      headers,
      ...(body === undefined ? {} : { payload: body as object }),
    })
  }
  for (const route of routes) {
    for (const [name, headers] of FORGED) {
      const res = await send(route, { ...headers, cookie: `sid=${thrall}` })
      t.equal(res.statusCode, 403, `${route.method} ${route.url}, ${name}: ${res.body.slice(0, 200)}`)
      t.match(res.json(), { statusCode: 403, error: 'Forbidden', message: /session cookie/ })
    }
  }
  t.same((await h.as(thrall).get('/guilds/9001/settings')).json(), settingsBefore, 'no forged write landed')
  t.equal((await h.as(thrall).get('/me')).statusCode, 200, 'no forged logout landed')

  // From guild-api's own origin or the frontend, by Origin or (without one) by Referer: the route answers.
  const allowed: Array<Record<string, string>> = [
    { origin: h.url },
    { origin: FRONTEND },
    { referer: `${h.url}/page` },
    { referer: `${FRONTEND}/a?b=c` },
  ]
  for (const route of routes) {
    for (const headers of allowed) {
      const token = route.url === '/auth/logout' ? await h.login('Thrall#1234') : thrall
      const res = await send(route, { ...headers, cookie: `sid=${token}` })
      t.not(
        res.statusCode,
        403,
        `${route.method} ${route.url} from ${JSON.stringify(headers)}: ${res.body.slice(0, 200)}`,
      )
      t.ok(res.statusCode < 500, 'and answers as it would')
    }
  }
})

t.test(
  'a request authenticated by a bearer header needs no Origin: no other site can make a browser send one',
  async (t) => {
    const h = await startHarness(t, { env: { CORS_ORIGINS: FRONTEND } })
    const thrall = await registerHordeVanguard(h)
    for (const headers of [{}, { origin: 'https://evil.example' }, { referer: 'https://evil.example/' }]) {
      const res = await h.inject({
        method: 'PUT',
        url: '/guilds/9001/settings',
        headers: { ...headers, authorization: `Bearer ${thrall}` },
        payload: { motd: 'bearer' },
      })
      t.equal(res.statusCode, 200, JSON.stringify(headers))
    }
    // The bearer header decides even when a cookie rides along, as it decides whose session it is.
    const both = await h.inject({
      method: 'PUT',
      url: '/guilds/9001/settings',
      headers: { origin: 'https://evil.example', authorization: `Bearer ${thrall}`, cookie: `sid=${thrall}` },
      payload: { motd: 'both' },
    })
    t.equal(both.statusCode, 200)
    // A malformed Authorization header does not count as a bearer one: the cookie is the credential, and checked.
    const basic = await h.inject({
      method: 'PUT',
      url: '/guilds/9001/settings',
      headers: { origin: 'https://evil.example', authorization: 'Basic dXNlcjpwYXNz', cookie: `sid=${thrall}` },
      payload: { motd: 'basic' },
    })
    t.equal(basic.statusCode, 403)
    // Reads are not state-changing: a GET with the cookie from anywhere answers (CORS decides who may read it).
    t.equal(
      (
        await h.inject({
          url: '/guilds/9001/settings',
          headers: { origin: 'https://evil.example', cookie: `sid=${thrall}` },
        })
      ).statusCode,
      200,
    )
    t.same((await h.as(thrall).get('/guilds/9001/settings')).json(), { motd: 'both' })
  },
)
