// @ts-check
/**
 * What the fuzzer needs to know of each service (its fuzz target), shared by the tap tests and the
 * runner so that both send the same inputs for the same seed.
 */

/** Cookie `name=value` pairs of a Set-Cookie header (or list of them). */
function cookiePairs(setCookie) {
  return [setCookie ?? []].flat().map((header) => String(header).split(';', 1)[0])
}

/**
 * The start of a real login, as a browser makes it: `/auth/login` (its signed state cookie), then, with
 * `complete`, Battle.net's authorize step, whose redirect back carries the code. A `redirect` the login
 * refuses is dropped.
 */
export async function startLogin(app, { loginHint, publicUrl, redirect, complete }) {
  const start = (query) => app.inject({ url: `/auth/login?login_hint=${encodeURIComponent(loginHint)}${query}` })
  let res =
    redirect === undefined ? await start('') : await start(`&redirect=${encodeURIComponent(redirect.toWellFormed())}`)
  if (res.statusCode === 400) res = await start('')
  const location = res.headers.location
  if (res.statusCode !== 302 || typeof location !== 'string')
    throw new Error(`/auth/login answered ${res.statusCode}: ${res.body}`)
  const state = new URL(location).searchParams.get('state') ?? ''
  const cookie = cookiePairs(res.headers['set-cookie']).join('; ')
  if (!complete) return { state, cookie }
  const back = await fetch(location, { redirect: 'manual' })
  const code = new URL(back.headers.get('location') ?? '', publicUrl).searchParams.get('code') ?? undefined
  return { state, cookie, code }
}

/** A whole login through Battle.net (its stand-in): resolves with the session token from the `sid` cookie. */
export async function loginThroughBattleNet(app, loginHint, publicUrl) {
  const { state, cookie, code } = await startLogin(app, { loginHint, publicUrl, complete: true })
  const res = await app.inject({
    url: `/auth/callback?code=${encodeURIComponent(code ?? '')}&state=${encodeURIComponent(state)}`,
    headers: { cookie },
  })
  const sid = cookiePairs(res.headers['set-cookie']).find((pair) => pair.startsWith('sid='))
  if (res.statusCode !== 302 || sid === undefined)
    throw new Error(`logging in as ${loginHint} ended with ${res.statusCode}: ${res.body}`)
  return sid.slice('sid='.length)
}

/**
 * guild-api: credentials are session tokens from the real login flow (bearer or the `sid` cookie); a
 * logout gets a session of its own (`mintSession`) so the others live on; `/auth/callback` is sometimes
 * sent a genuine state with its signed cookie (from `/auth/login`), so hostile codes reach Battle.net.
 */
export function guildApiTarget({
  app,
  sessions,
  mintSession,
  publicUrl,
  allowedOrigins = [],
  knownIds,
  loginHint = 'Thrall#1234',
}) {
  return {
    name: 'guild-api',
    inject: (request) => app.inject(request),
    knownIds,
    hints: {
      guild_id: knownIds.filter((id) => id < 100_000),
      realm: [
        'area-52',
        'proudmoore',
        'Area 52',
        'Proudmoore',
        "Kel'Thuzad",
        'kelthuzad',
        'Aggra (Português)',
        'aggra-portugues',
        'Aggra (Portugue\u0302s)',
        'No Such Realm',
      ],
      region: ['us', 'eu'],
      name: ['Horde Vanguard', 'Kirin Tor Council', 'horde-vanguard', 'No Such Guild'],
    },
    credentials: sessions,
    cookieName: 'sid',
    freshCredential: mintSession,
    consumesCredential: (route) => route.url === '/auth/logout',
    origins: { public: new URL(publicUrl).origin, allowed: allowedOrigins },
    startLogin: ({ redirect, complete }) => startLogin(app, { loginHint, publicUrl, redirect, complete }),
  }
}

/** permission-service: the one credential is SERVICE_TOKEN. */
export function permissionServiceTarget({ app, serviceToken, knownIds }) {
  return {
    name: 'permission-service',
    inject: (request) => app.inject(request),
    knownIds,
    credentials: [serviceToken],
    origins: { public: 'http://127.0.0.1:3001' },
  }
}
