import t from 'tap'
import { BODY_LIMIT_BYTES } from '../../src/config.js'
import { registerHordeVanguard, startHarness } from '../helpers/harness.js'
import { pathOf, STATE_CHANGING } from '../helpers/routes.js'

/** A JSON object of exactly `bytes` bytes. */
const jsonOfSize = (bytes: number) => `{"pad":"${'x'.repeat(bytes - 10)}"}`

t.test('every route that reads a body refuses one over its limit with 413; the global limit is 64 KiB', async (t) => {
  const h = await startHarness(t)
  const gm = await registerHordeVanguard(h)
  t.equal(BODY_LIMIT_BYTES, 65_536)
  const routes = h.app.routeCatalog.filter((r) => STATE_CHANGING.has(r.method))
  t.ok(routes.length >= 5, `${routes.length} routes read a body, from the app's catalog`)
  for (const route of routes) {
    const limit = route.bodyLimit ?? BODY_LIMIT_BYTES
    // A logout gets through at the limit and ends its session: it gets one of its own.
    const token = route.url === '/auth/logout' ? await h.login('Thrall#1234') : gm
    const send = (payload: string) =>
      h.inject({
        method: route.method,
        url: pathOf(route),
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        payload,
      })
    const over = await send(jsonOfSize(limit + 1))
    t.equal(over.statusCode, 413, `${route.method} ${route.url}: ${limit + 1} bytes`)
    t.match(over.json(), { statusCode: 413, error: 'Payload Too Large', message: /too large/ })
    const at = await send(jsonOfSize(limit))
    t.notMatch(
      at.body,
      /Request body is too large/,
      `${route.method} ${route.url}: ${limit} bytes get past the parser (${at.statusCode})`,
    )
    t.ok(at.statusCode < 500)
  }
  const settings = routes.find((r) => r.url === '/guilds/:guild_id/settings')
  t.equal(
    settings?.bodyLimit,
    16_384 * 4 + 1024,
    'settings: its own limit, from SETTINGS_MAX_BYTES (the handler holds it to 16384 bytes of JSON)',
  )
  // Everyone else keeps to the global one.
  t.same(
    routes.filter((r) => r !== settings).map((r) => r.bodyLimit),
    routes.filter((r) => r !== settings).map(() => undefined),
  )

  // A body on a GET is never read, however large.
  const get = await h.inject({
    url: '/me',
    headers: { authorization: `Bearer ${gm}`, 'content-type': 'application/json' },
    payload: jsonOfSize(2_000_000),
  })
  t.equal(get.statusCode, 200)
})
