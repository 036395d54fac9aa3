import t, { type Test } from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { startHarness } from './helpers/harness.js'

interface SetCookie {
  name: string
  value: string
  attributes: Record<string, string | true>
}

function setCookies(res: LightMyRequestResponse): SetCookie[] {
  return [res.headers['set-cookie'] ?? []].flat().map((header) => {
    const [pair = '', ...rest] = String(header).split(';').map((part) => part.trim())
    const eq = pair.indexOf('=')
    const attributes: Record<string, string | true> = {}
    for (const attribute of rest) {
      const [key = '', ...value] = attribute.split('=')
      attributes[key.toLowerCase()] = value.length === 0 ? true : value.join('=')
    }
    return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attributes }
  })
}

/** One login by hand: /auth/login, Battle.net, /auth/callback, then /auth/logout; every Set-Cookie on the way. */
async function cookiesOfAFullFlow(t: Test, publicUrl?: string) {
  const h = await startHarness(t, { permissionService: false, ...(publicUrl === undefined ? {} : { env: { PUBLIC_URL: publicUrl } }) })
  const login = await h.inject({ url: '/auth/login?login_hint=Thrall%231234' })
  const [state] = setCookies(login)
  const back = await fetch(login.headers.location as string, { redirect: 'manual' })
  const callbackUrl = new URL(back.headers.get('location') as string)
  const callback = await h.inject({ url: callbackUrl.pathname + callbackUrl.search, headers: { cookie: `${state?.name}=${state?.value}` } })
  const sid = setCookies(callback).find((c) => c.name === 'sid')
  const logout = await h.inject({ method: 'POST', url: '/auth/logout', headers: { authorization: `Bearer ${sid?.value}` } })
  return { login: setCookies(login), callback: setCookies(callback), logout: setCookies(logout) }
}

for (const [scheme, publicUrl] of [['http', undefined], ['https', 'https://guild.example']] as const) {
  t.test(`cookie flags with an ${scheme} PUBLIC_URL`, async (t) => {
    const secure = scheme === 'https'
    const flow = await cookiesOfAFullFlow(t, publicUrl)
    const expect = (cookie: SetCookie | undefined, path: string, what: string) => {
      t.ok(cookie, `${what} is set`)
      t.equal(cookie?.attributes.httponly, true, `${what}: HttpOnly (no script reads it)`)
      t.equal(String(cookie?.attributes.samesite).toLowerCase(), 'lax', `${what}: SameSite=Lax`)
      t.equal(cookie?.attributes.path, path, `${what}: Path=${path}`)
      t.equal(cookie?.attributes.secure === true, secure, `${what}: ${secure ? 'Secure' : 'not Secure'} over ${scheme}`)
      t.notOk(cookie?.attributes.domain, `${what}: no Domain (this host only)`)
    }
    expect(flow.login.find((c) => c.name === 'oauth_state'), '/auth', 'the login-state cookie')
    t.match(flow.login.find((c) => c.name === 'oauth_state')?.value, /\./, 'the login-state cookie is signed')
    t.ok(Number(flow.login.find((c) => c.name === 'oauth_state')?.attributes['max-age']) <= 600, 'and lives 10 minutes at most')
    expect(flow.callback.find((c) => c.name === 'sid'), '/', 'the session cookie')
    t.match(flow.callback.find((c) => c.name === 'sid')?.value, /^[A-Za-z0-9_-]{43}$/)
    expect(flow.callback.find((c) => c.name === 'oauth_state'), '/auth', 'the login-state cookie, cleared by the callback')
    t.equal(flow.callback.find((c) => c.name === 'oauth_state')?.value, '', 'cleared')
    expect(flow.logout.find((c) => c.name === 'sid'), '/', 'the session cookie, cleared by the logout')
    t.equal(flow.logout.find((c) => c.name === 'sid')?.value, '', 'cleared')
  })
}
