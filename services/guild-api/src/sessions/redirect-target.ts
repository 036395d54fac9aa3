import { httpError } from '@guild/service-kit'

export const DEFAULT_REDIRECT = '/me'

/** Resolves local paths; no request ever goes there. */
const LOCAL_BASE = 'http://local.invalid'

/**
 * A normalised local path that a browser, or a proxy that decodes before it routes, could still read as
 * another host: `//host`, `/\\host`, or a first segment that starts with an encoded slash or backslash.
 */
const LEAVES_THE_ORIGIN = /^\/(?:\/|\\|%2f|%5c)/i

/**
 * Where a finished login may send the browser: a path on guild-api itself (`/x`, but not `//host`
 * nor anything with a backslash, which browsers read as `//`), or a URL on one of CORS_ORIGINS without
 * userinfo. Anything else is an open redirect, refused with 400. What it returns is ASCII, fit for a
 * Location header. The check is made on what the URL parser made of the path, not on what was sent:
 * dot segments (`/.//evil.example`, `/a/..//evil.example`, `/%2e//evil.example`) collapse into `//`.
 */
export function checkRedirect(value: string | undefined, allowedOrigins: readonly string[]): string {
  if (value === undefined) return DEFAULT_REDIRECT
  if (/[\u0000-\u001f\u007f\\]/.test(value)) throw badRedirect()
  if (value.startsWith('/')) {
    if (value.startsWith('//')) throw badRedirect()
    // Through the URL parser, so the Location header holds ASCII only: `/日本` or `/a b` sent raw is
    // not a valid header value, and Node would fail the whole callback (after the login was made).
    const local = new URL(value, LOCAL_BASE)
    if (local.origin !== LOCAL_BASE || LEAVES_THE_ORIGIN.test(local.pathname)) throw badRedirect()
    return `${local.pathname}${local.search}${local.hash}`
  }
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw badRedirect()
  }
  // Userinfo (`https://evil.com%2F@app.example`) has no business in a redirect and only serves to mislead.
  if (url.username !== '' || url.password !== '') throw badRedirect()
  if ((url.protocol === 'http:' || url.protocol === 'https:') && allowedOrigins.includes(url.origin))
    return url.toString()
  throw badRedirect()
}

function badRedirect() {
  return httpError(400, 'querystring/redirect must be a local path such as /me or a URL on one of CORS_ORIGINS')
}
