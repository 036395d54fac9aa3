import fc from 'fast-check'
import t from 'tap'
import { checkRedirect } from '../../src/sessions/redirect-target.js'
import { Browser } from '../helpers/browser.js'
import { startHarness } from '../helpers/harness.js'

const ALLOWED = 'https://allowed.example'
/** This file starts more logins a minute than /auth/* allows one address (security-rate-limit tests that). */
const MANY_LOGINS = { AUTH_RATE_LIMIT_MAX: '1000' }

/** A value for an assertion message: quoted, with the line separators that garble TAP escaped. */
const shown = (value: string) =>
  JSON.stringify(value).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`)

/** Every way we know of to send a browser elsewhere than guild-api or its frontend. */
const REFUSED = [
  '//evil.example',
  '//evil.example/path',
  '///evil.example',
  '////evil.example',
  '/\\evil.example',
  '\\/evil.example',
  '\\\\evil.example',
  '/\t/evil.example',
  '/\n/evil.example',
  ' //evil.example',
  '%2F%2Fevil.example',
  '%2f%2fevil.example',
  '/%5Cevil.example'.replace('/%5C', '\\'),
  'https://evil.example',
  'https:evil.example',
  'https:/evil.example',
  'http://evil.example:443',
  'HTTPS://EVIL.EXAMPLE',
  'javascript:alert(document.cookie)',
  'JaVaScRiPt:alert(1)',
  ' javascript:alert(1)',
  'java\tscript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'vbscript:msgbox(1)',
  'file:///etc/passwd',
  'mailto:a@evil.example',
  'http://allowed.example.evil.com',
  'https://allowed.example.evil.com/',
  'https://allowed.example@evil.com',
  'https://allowed.example:pass@evil.com/',
  'https://evil.com\\@allowed.example',
  'https://evil.com#@allowed.example',
  'https://evil.com?@allowed.example',
  'https://evil.com%2F@allowed.example',
  'http://allowed.example', // the right host on the wrong scheme
  'https://allowed.example:8443/', // and on another port
  'https://xn--allowed-example/',
  'me',
  'evil.example',
  '',
]

/**
 * Paths the old check let through because it looked before the URL parser normalised them: each ended,
 * after the login, at `Location: //evil.example` (or a decoded `/\\`, `/%2f`), which a browser follows off-site.
 */
const NORMALISED_AWAY = [
  '/.//evil.example',
  '/./evil.example/..//evil.example',
  '/a/..//evil.example',
  '/a/b/../..//evil.example',
  '/..//evil.example',
  '/../..//evil.example',
  '/%2e//evil.example',
  '/%2E//evil.example',
  '/%2e%2e//evil.example',
  '/.%2e//evil.example',
  '/%2e./%2e%2e//evil.example',
  '/a/%2e%2e//evil.example',
  '/.//evil.example/path?x=1#y',
  '/.//user:pass@evil.example',
  '/.//allowed.example@evil.example',
  '/.//evil。example',
  '/.//xn--80ak6aa92e.com',
  '/.//javascript:alert(1)',
  '/%2f/evil.example',
  '/%2F%2Fevil.example',
  '/%5c/evil.example',
  '/%5Cevil.example',
  '/./%2fevil.example',
  '/a/../%5c%5cevil.example',
  '/.\t//evil.example',
  '/.\n//evil.example',
  '/\r\n//evil.example',
  '/./\\evil.example',
  '/.\\/evil.example',
  'https://аllowed.example/', // a Cyrillic а: another host, punycoded
  'https://allowed.example.／evil.example/',
]

t.test('a redirect to another host is refused unless it is on CORS_ORIGINS', async (t) => {
  const h = await startHarness(t, { permissionService: false, env: { CORS_ORIGINS: ALLOWED, ...MANY_LOGINS } })
  for (const redirect of REFUSED) {
    const res = await h.inject({ url: `/auth/login?login_hint=Thrall%231234&redirect=${encodeURIComponent(redirect)}` })
    t.equal(res.statusCode, 400, shown(redirect))
    t.match(res.json(), { statusCode: 400, error: 'Bad Request', message: /querystring\/redirect/ }, shown(redirect))
    t.notOk(res.headers['set-cookie'], `${shown(redirect)}: no login started`)
  }
  // An ideographic full stop is a dot to the URL parser (and to browsers): that is the allowed host itself.
  for (const redirect of [
    `${ALLOWED}/after?x=1`,
    `${ALLOWED}:443/x`,
    'HTTPS://ALLOWED.EXAMPLE/x',
    'https://allowed。example/',
    '/me',
    '/guilds/9001?tab=roster#top',
    '/a/../me',
  ]) {
    const res = await h.inject({ url: `/auth/login?login_hint=Thrall%231234&redirect=${encodeURIComponent(redirect)}` })
    t.equal(res.statusCode, 302, `${shown(redirect)} is allowed: ${res.body}`)
  }
})

t.test('a path that the URL parser normalises into another host is refused (the open redirect)', async (t) => {
  const h = await startHarness(t, { permissionService: false, env: { CORS_ORIGINS: ALLOWED, ...MANY_LOGINS } })
  for (const redirect of NORMALISED_AWAY) {
    const res = await h.inject({ url: `/auth/login?login_hint=Thrall%231234&redirect=${encodeURIComponent(redirect)}` })
    t.equal(res.statusCode, 400, `${shown(redirect)}: ${res.body}`)
    t.notOk(res.headers['set-cookie'], `${shown(redirect)}: no login started`)
  }
})

t.test(
  'whatever redirect is accepted, a browser following the Location stays on guild-api or CORS_ORIGINS',
  async (t) => {
    // Paths built from the pieces every known bypass is made of, resolved as a browser resolves a Location.
    const piece = fc.constantFrom(
      '',
      '.',
      '..',
      '%2e',
      '%2E',
      '%2e%2e',
      '.%2e',
      'a',
      '%2f',
      '%2F',
      '%5c',
      '%5C',
      '\\',
      '@',
      'evil.example',
      '。',
      ':',
      '?',
      '#',
      '%00',
      'javascript:',
    )
    const path = fc.array(piece, { minLength: 1, maxLength: 7 }).map((parts) => `/${parts.join('/')}`)
    const prefixed = fc
      .tuple(fc.constantFrom('', ALLOWED, 'https:', 'https://allowed.example@', '//'), path)
      .map(([prefix, p]) => `${prefix}${p}`)
    const publicUrl = 'https://guild.example/auth/callback'
    let accepted = 0
    fc.assert(
      fc.property(prefixed, (redirect) => {
        let location: string
        try {
          location = checkRedirect(redirect, [ALLOWED])
        } catch {
          return true
        }
        accepted++
        const landed = new URL(location, publicUrl)
        return landed.origin === 'https://guild.example' || landed.origin === ALLOWED
      }),
      { numRuns: 5_000, seed: 17 },
    )
    t.ok(accepted > 100, `the property saw accepted redirects too (${accepted})`)
  },
)

t.test('the callback sends the browser where the login said, as an ASCII Location', async (t) => {
  const h = await startHarness(t, { permissionService: false, env: { CORS_ORIGINS: ALLOWED, ...MANY_LOGINS } })
  const cases: Array<[redirect: string, location: string]> = [
    [`${ALLOWED}/after?x=1`, `${ALLOWED}/after?x=1`],
    [`${ALLOWED}:443/x`, `${ALLOWED}/x`],
    ['/guilds/9001?tab=roster#top', '/guilds/9001?tab=roster#top'],
    ['/a/../me', '/me'],
    // Raw, these are not valid header values: the callback answered 500 after opening the session.
    ['/日本', '/%E6%97%A5%E6%9C%AC'],
    ['/a b"c', '/a%20b%22c'],
    ['/a\u2028b', '/a%E2%80%A8b'],
    ['/ü?q=ü', '/%C3%BC?q=%C3%BC'],
  ]
  for (const [redirect, location] of cases) {
    const browser = new Browser()
    const res = await browser.get(
      `${h.url}/auth/login?login_hint=Thrall%231234&redirect=${encodeURIComponent(redirect)}`,
      {
        follow: (next) => !next.pathname.startsWith('/auth/callback') || next.origin !== h.url,
      },
    )
    t.equal(res.status, 302)
    const callback = await browser.get(res.headers.location as string, { follow: false })
    t.equal(callback.status, 302, `${shown(redirect)}: ${callback.body}`)
    t.equal(callback.headers.location, location, shown(redirect))
    t.ok(browser.cookie('sid', h.url), 'with the session cookie')
  }
})
