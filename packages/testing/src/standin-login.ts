/**
 * The whole OAuth dance against guild-api and the Battle.net stand-in, redirects followed by hand so
 * the login-state cookie goes along; resolves with the session token.
 */
export async function loginThroughStandin(guildApiUrl: string, loginHint: string): Promise<string> {
  const start = await fetch(`${guildApiUrl}/auth/login?login_hint=${encodeURIComponent(loginHint)}`, {
    redirect: 'manual',
  })
  const stateCookie = (start.headers.get('set-cookie') ?? '').split(';')[0] as string
  const authorize = await fetch(start.headers.get('location') as string, { redirect: 'manual' })
  const callback = await fetch(authorize.headers.get('location') as string, {
    redirect: 'manual',
    headers: { cookie: stateCookie },
  })
  const sid = /(?:^|,\s*)sid=([^;]+)/.exec(callback.headers.get('set-cookie') ?? '')?.[1]
  if (callback.status !== 302 || !sid)
    throw new Error(`login as ${loginHint} failed: ${callback.status} ${await callback.text()}`)
  return decodeURIComponent(sid)
}
