import t, { type Test } from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { startHarness, type Harness } from '../helpers/harness.js'

interface SetCookie {
  name: string
  value: string
  attributes: Record<string, string | true>
}

function setCookies(res: LightMyRequestResponse): SetCookie[] {
  return [res.headers['set-cookie'] ?? []].flat().map((header) => {
    const [pair = '', ...rest] = String(header)
      .split(';')
      .map((part) => part.trim())
    const eq = pair.indexOf('=')
    const attributes: Record<string, string | true> = {}
    for (const attribute of rest) {
      const [key = '', ...value] = attribute.split('=')
      attributes[key.toLowerCase()] = value.length === 0 ? true : value.join('=')
    }
    return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attributes }
  })
}

/**
 * /auth/login, Battle.net's authorize step, then /auth/callback with the login-state cookie (`cookie` overrides it).
 */
async function throughBattleNet(h: Harness, cookie?: (state: SetCookie | undefined) => string) {
  const login = await h.inject({ url: '/auth/login?login_hint=Thrall%231234' })
  const [state] = setCookies(login)
  const back = await fetch(login.headers.location as string, { redirect: 'manual' })
  const callbackUrl = new URL(back.headers.get('location') as string)
  const sent = cookie === undefined ? `${state?.name}=${state?.value}` : cookie(state)
  const callback = await h.inject({ url: callbackUrl.pathname + callbackUrl.search, headers: { cookie: sent } })
  return { login, state, callback }
}

/** One login by hand: /auth/login, Battle.net, /auth/callback, then /auth/logout; every Set-Cookie on the way. */
async function cookiesOfAFullFlow(t: Test, publicUrl: string | undefined, names: { session: string }) {
  const h = await startHarness(t, {
    permissionService: false,
    ...(publicUrl === undefined ? {} : { env: { PUBLIC_URL: publicUrl } }),
  })
  const { login, callback } = await throughBattleNet(h)
  const sid = setCookies(callback).find((c) => c.name === names.session)
  const logout = await h.inject({
    method: 'POST',
    url: '/auth/logout',
    headers: { authorization: `Bearer ${sid?.value}` },
  })
  return { login: setCookies(login), callback: setCookies(callback), logout: setCookies(logout) }
}

// Over https the names take the __Host- prefix, which browsers accept only Secure, Path=/ and without Domain.
const SCHEMES = [
  ['http', undefined, { session: 'sid', state: 'oauth_state', statePath: '/auth' }],
  ['https', 'https://guild.example', { session: '__Host-sid', state: '__Host-oauth_state', statePath: '/' }],
] as const

for (const [scheme, publicUrl, names] of SCHEMES) {
  t.test(`cookie flags with an ${scheme} PUBLIC_URL`, async (t) => {
    const secure = scheme === 'https'
    const flow = await cookiesOfAFullFlow(t, publicUrl, names)
    const expect = (cookie: SetCookie | undefined, path: string, what: string) => {
      t.ok(cookie, `${what} is set`)
      t.equal(cookie?.attributes.httponly, true, `${what}: HttpOnly (no script reads it)`)
      t.equal(String(cookie?.attributes.samesite).toLowerCase(), 'lax', `${what}: SameSite=Lax`)
      t.equal(cookie?.attributes.path, path, `${what}: Path=${path}`)
      t.equal(cookie?.attributes.secure === true, secure, `${what}: ${secure ? 'Secure' : 'not Secure'} over ${scheme}`)
      t.notOk(cookie?.attributes.domain, `${what}: no Domain (this host only)`)
    }
    expect(
      flow.login.find((c) => c.name === names.state),
      names.statePath,
      'the login-state cookie',
    )
    t.match(flow.login.find((c) => c.name === names.state)?.value, /\./, 'the login-state cookie is signed')
    t.ok(
      Number(flow.login.find((c) => c.name === names.state)?.attributes['max-age']) <= 600,
      'and lives 10 minutes at most',
    )
    expect(
      flow.callback.find((c) => c.name === names.session),
      '/',
      'the session cookie',
    )
    t.match(flow.callback.find((c) => c.name === names.session)?.value, /^[A-Za-z0-9_-]{43}$/)
    expect(
      flow.callback.find((c) => c.name === names.state),
      names.statePath,
      'the login-state cookie, cleared by the callback',
    )
    t.equal(flow.callback.find((c) => c.name === names.state)?.value, '', 'cleared')
    expect(
      flow.logout.find((c) => c.name === names.session),
      '/',
      'the session cookie, cleared by the logout',
    )
    t.equal(flow.logout.find((c) => c.name === names.session)?.value, '', 'cleared')
    const all = [...flow.login, ...flow.callback, ...flow.logout]
    t.same(
      [...new Set(all.map((c) => c.name))].sort(),
      [names.session, names.state].sort(),
      'no cookie under another name',
    )
  })
}

t.test(
  'over https a cookie a sibling subdomain can plant (no __Host- prefix) is not a session nor a login state',
  async (t) => {
    // guild.example's sibling evil.guild.example may set `sid` and `oauth_state` with Domain=guild.example,
    // and the browser sends them to guild.example; it cannot set a __Host- cookie for another host.
    const h = await startHarness(t, { permissionService: false, env: { PUBLIC_URL: 'https://guild.example' } })
    const token = await loginWithCookies(h)
    t.equal(
      (await h.inject({ url: '/me', headers: { cookie: `__Host-sid=${token}` } })).statusCode,
      200,
      'the prefixed cookie is the session',
    )
    const planted = await h.inject({ url: '/me', headers: { cookie: `sid=${token}` } })
    t.equal(planted.statusCode, 401, 'a planted sid is no session (session fixation)')

    const { state, callback } = await throughBattleNet(h, (state) => `oauth_state=${state?.value}`)
    t.equal(state?.name, '__Host-oauth_state')
    t.equal(callback.statusCode, 400, 'a login state under the plain name is not read (login CSRF)')
  },
)

/** A whole login over inject against an https PUBLIC_URL; the session token from `__Host-sid`. */
async function loginWithCookies(h: Harness): Promise<string> {
  const { callback } = await throughBattleNet(h)
  const sid = setCookies(callback).find((c) => c.name === '__Host-sid')
  if (sid === undefined) throw new Error(`no __Host-sid: ${callback.statusCode} ${callback.body}`)
  return sid.value
}
