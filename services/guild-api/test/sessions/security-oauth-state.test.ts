import t from 'tap'
import { encodePendingLogin, STATE_COOKIE } from '../../src/sessions/login-state.js'
import { Browser } from '../helpers/browser.js'
import { startHarness, type Harness } from '../helpers/harness.js'

/**
 * A login stopped at Battle.net's redirect back: the callback's query (code and state) and the browser's state cookie.
 */
async function startLogin(h: Harness, hint = 'Thrall#1234') {
  const browser = new Browser()
  const start = await browser.get(`${h.url}/auth/login?login_hint=${encodeURIComponent(hint)}`, { follow: false })
  const back = await browser.get(start.headers.location as string, { follow: false })
  const callback = new URL(back.headers.location as string)
  return {
    query: callback.search,
    code: callback.searchParams.get('code') as string,
    state: callback.searchParams.get('state') as string,
    cookie: browser.cookie(STATE_COOKIE, h.url)?.value as string,
  }
}

const sessionCount = async (h: Harness) => Number((await h.app.db.sql`select count(*)::int as n from sessions`)[0]?.n)

t.test('an OAuth state replayed or forged is a 400, and opens no session', async (t) => {
  const h = await startHarness(t, { permissionService: false })
  const callback = (query: string, cookie?: string) =>
    h.inject({
      url: `/auth/callback${query}`,
      headers: cookie === undefined ? {} : { cookie: `${STATE_COOKIE}=${cookie}` },
    })

  const a = await startLogin(h)
  const b = await startLogin(h, 'Jaina#4567')
  const forgeries: Array<[name: string, query: string, cookie: string | undefined]> = [
    ['no state cookie', a.query, undefined],
    ['a state that is not the cookie’s', `?code=${a.code}&state=${'x'.repeat(32)}`, a.cookie],
    [
      "another browser's state with this browser's cookie (a login swapped in)",
      `?code=${b.code}&state=${b.state}`,
      a.cookie,
    ],
    ["this browser's state with another browser's cookie", `?code=${a.code}&state=${a.state}`, b.cookie],
    ['the cookie with its signature cut off', a.query, a.cookie.slice(0, a.cookie.lastIndexOf('.'))],
    ['the cookie with a changed signature', a.query, `${a.cookie.slice(0, -2)}xx`],
    [
      'a cookie signed with another secret',
      a.query,
      `${encodePendingLogin({ state: a.state, redirect: '/me', expiresAt: Date.now() + 60_000 })}.c2lnbmVk`,
    ],
    [
      'an unsigned cookie holding the right state',
      a.query,
      encodePendingLogin({ state: a.state, redirect: '/me', expiresAt: Date.now() + 60_000 }),
    ],
    [
      'a correctly signed cookie whose login expired',
      a.query,
      h.app.signCookie(encodePendingLogin({ state: a.state, redirect: '/me', expiresAt: Date.now() - 1 })),
    ],
    ['a signed cookie that is not a login', a.query, h.app.signCookie('not base64 json')],
    ['an empty state', `?code=${a.code}&state=`, a.cookie],
    ['the state given twice', `${a.query}&state=${a.state}`, a.cookie],
  ]
  for (const [name, query, cookie] of forgeries) {
    const res = await callback(query, cookie === undefined ? undefined : encodeURIComponent(cookie))
    t.equal(res.statusCode, 400, `${name}: ${res.body.slice(0, 200)}`)
    t.match(res.json(), { statusCode: 400, error: 'Bad Request', message: /state/ }, name)
    t.notMatch(String(res.headers['set-cookie'] ?? ''), /\bsid=[^;]/, `${name}: no session cookie`)
  }
  t.equal(await sessionCount(h), 0, 'no forged callback opened a session')

  // The genuine callback works once; its replay (same code, state and cookie) is refused.
  const first = await callback(a.query, encodeURIComponent(a.cookie))
  t.equal(first.statusCode, 302, first.body)
  t.match(String(first.headers['set-cookie']), /sid=[A-Za-z0-9_-]{43};/)
  const replay = await callback(a.query, encodeURIComponent(a.cookie))
  t.equal(replay.statusCode, 400)
  t.match(replay.json(), { statusCode: 400, message: /state was used already/ })
  t.equal(await sessionCount(h), 1, 'one login, one session')

  // A second instance (another process) has not seen the state, but Battle.net redeems a code once.
  const { buildApp } = await import('../../src/app.js')
  const other = await buildApp({ env: h.env, bnetBackoffMs: 10 })
  t.teardown(() => other.close())
  const elsewhere = await other.inject({
    url: `/auth/callback${a.query}`,
    headers: { cookie: `${STATE_COOKIE}=${encodeURIComponent(a.cookie)}` },
  })
  t.equal(elsewhere.statusCode, 400, 'replayed on another instance')
  t.match(elsewhere.json(), { statusCode: 400, message: /code/ })
  t.equal(await sessionCount(h), 1)
})
