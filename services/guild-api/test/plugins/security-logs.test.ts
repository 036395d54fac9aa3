import t from 'tap'
import { Browser } from '../helpers/browser.js'
import { SERVICE_TOKEN, startHarness } from '../helpers/harness.js'

t.test('no secret nor battletag in any log line of a full flow, both services logging at trace', async (t) => {
  const h = await startHarness(t, { captureLogs: true, env: { CORS_ORIGINS: 'https://app.example' } })

  // Log in as a browser does (codes and tokens go by), then use the API, then log out.
  const browser = new Browser()
  const landed = await browser.get(`${h.url}/auth/login?login_hint=Thrall%231234&redirect=/me`)
  t.equal(landed.status, 200)
  const token = browser.cookie('sid', h.url)?.value as string
  const jaina = await h.login('Jaina#4567')
  const thrall = h.as(token)
  t.equal((await thrall.post('/guilds', { realm: 'area-52', name: 'Horde Vanguard' })).statusCode, 201)
  t.equal((await thrall.get('/guilds/9001/members')).statusCode, 200, 'a permission check')
  t.equal((await thrall.get('/guilds/9001/me/tools?tools=roster,sync')).statusCode, 200, 'a batch check')
  t.equal((await thrall.put('/guilds/9001/settings', { motd: 'hi' })).statusCode, 200)
  t.equal((await thrall.post('/guilds/9001/sync')).statusCode, 200, 'a roster read with the app token')
  t.equal((await h.as(jaina).get('/guilds/9001/members')).statusCode, 403, 'a refusal')
  // The cookie way, from the frontend, and a refused one.
  t.equal(
    (
      await h.inject({
        method: 'PUT',
        url: '/guilds/9001/settings',
        headers: { cookie: `sid=${token}`, origin: 'https://app.example' },
        payload: { motd: 'x' },
      })
    ).statusCode,
    200,
  )
  t.equal(
    (
      await h.inject({
        method: 'PUT',
        url: '/guilds/9001/settings',
        headers: { cookie: `sid=${token}`, origin: 'https://evil.example' },
        payload: { motd: 'y' },
      })
    ).statusCode,
    403,
  )
  // Failures that carry secrets in the request: a replayed callback, a bad code, a token in the query.
  const code = h.standin.issued.codes[0] as string
  t.equal((await h.inject({ url: `/auth/callback?code=${code}&state=forged` })).statusCode, 400)
  const again = await h.inject({ url: '/auth/login?login_hint=Thrall%231234' })
  const state = new URL(again.headers.location as string).searchParams.get('state') as string
  const stateCookie = String(again.headers['set-cookie']).split(';')[0] as string
  const redeemed = await h.inject({
    url: `/auth/callback?code=${code}&state=${state}`,
    headers: { cookie: stateCookie },
  })
  t.equal(redeemed.statusCode, 400, 'a code Battle.net already redeemed: its refusal is logged')
  t.equal(
    (
      await h.inject({
        url: `/me?token=${token}&access_token=${h.standin.issued.accessTokens[0]}`,
        headers: { cookie: `sid=${token}` },
      })
    ).statusCode,
    200,
  )
  t.equal((await h.as(`${token.slice(0, 42)}x`).get('/me')).statusCode, 401)
  // permission-service, asked directly with the right and a wrong service token.
  const perm = h.perm?.url as string
  t.equal(
    (
      await fetch(`${perm}/v1/check?guild_id=9001&bnet_id=100001&tool=roster`, {
        headers: { authorization: `Bearer ${SERVICE_TOKEN}` },
      })
    ).status,
    200,
  )
  t.equal(
    (
      await fetch(`${perm}/v1/check?guild_id=9001&bnet_id=100001&tool=roster`, {
        headers: { authorization: `Bearer ${SERVICE_TOKEN}x` },
      })
    ).status,
    401,
  )
  t.equal((await thrall.post('/auth/logout')).statusCode, 204)
  t.equal((await h.as(jaina).post('/auth/logout')).statusCode, 204)
  await new Promise((resolve) => setTimeout(resolve, 300)) // the child's last lines

  const secrets: Record<string, string[]> = {
    'a session token': [token, jaina],
    SERVICE_TOKEN: [SERVICE_TOKEN],
    BNET_CLIENT_SECRET: [h.env.BNET_CLIENT_SECRET as string],
    'an OAuth code': h.standin.issued.codes,
    'a Battle.net access token': h.standin.issued.accessTokens,
    // Personal data: a battletag names a player (login_hint, and whatever else may carry one).
    'a battletag': ['Thrall#1234', 'Thrall%231234', 'Jaina#4567', 'Jaina%234567'],
  }
  t.ok(
    h.standin.issued.codes.length >= 2 && h.standin.issued.accessTokens.length >= 3,
    'codes, user tokens and the app token went by',
  )
  const lines = [...h.logs, ...(h.perm?.allOutput() ?? '').split('\n')].filter((line) => line.trim() !== '')
  t.ok(h.logs.length > 50, `guild-api logged ${h.logs.length} lines`)
  t.equal(h.app.log.level, 'trace', 'at trace')
  t.ok(
    h.logs.some((l) => /"level":20/.test(l)),
    'debug lines included',
  )
  t.ok((h.perm?.allOutput() ?? '').includes('"level":'), 'permission-service logged too')
  for (const [what, values] of Object.entries(secrets)) {
    for (const value of values) {
      const leaks = lines.filter((line) => line.includes(value))
      t.same(leaks, [], `no log line holds ${what}`)
    }
  }
  t.ok(
    lines.some((l) => l.includes('[redacted]')),
    'the secrets in URLs were replaced, not just absent',
  )
})
