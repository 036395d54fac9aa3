import { httpError } from '@guild/service-kit'

export const DEFAULT_REDIRECT = '/me'

/**
 * Where a finished login may send the browser: a path on guild-api itself (`/x`, but not `//host`
 * nor anything with a backslash, which browsers read as `//`), or a URL on one of CORS_ORIGINS.
 * Anything else is an open redirect, refused with 400.
 */
export function checkRedirect(value: string | undefined, allowedOrigins: readonly string[]): string {
  if (value === undefined) return DEFAULT_REDIRECT
  if (/[\u0000-\u001f\u007f\\]/.test(value)) throw badRedirect()
  if (value.startsWith('/')) {
    if (value.startsWith('//')) throw badRedirect()
    return value
  }
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw badRedirect()
  }
  if ((url.protocol === 'http:' || url.protocol === 'https:') && allowedOrigins.includes(url.origin)) return url.toString()
  throw badRedirect()
}

function badRedirect() {
  return httpError(400, 'querystring/redirect must be a local path such as /me or a URL on one of CORS_ORIGINS')
}
