import { httpError } from '@guild/service-kit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { corsOrigins } from '../../config.js'
import { sessionCredentialOf } from './session-auth.js'

/** The methods that change data; GET and HEAD never do here, and OPTIONS is CORS's. */
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

function originOf(url: string): string | undefined {
  try {
    const parsed = new URL(url)
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : undefined
  } catch {
    return undefined
  }
}

/**
 * Where a request says it comes from: its `Origin`, else the origin of its `Referer`. `undefined` when
 * it says neither; `'opaque'` for `Origin: null` (sandboxed frames, some redirects) or anything that is
 * not an http(s) origin as browsers write it (`https://app.example`: lower case, no path, no slash), as
 * CORS compares it.
 */
export function claimedOrigin(headers: {
  origin?: string | undefined
  referer?: string | undefined
}): string | undefined {
  if (typeof headers.origin === 'string') return originOf(headers.origin) === headers.origin ? headers.origin : 'opaque'
  if (typeof headers.referer === 'string') return originOf(headers.referer) ?? 'opaque'
  return undefined
}

/**
 * Cross-site request forgery: a browser sends the `sid` cookie with any site's form post or fetch, so a
 * request that changes data and is authenticated by the cookie must come from guild-api's own origin
 * (PUBLIC_URL) or one of CORS_ORIGINS, by its `Origin` (every current browser sends one on such
 * requests) or, without one, its `Referer`; otherwise 403. A request that says neither is refused too:
 * a browser always says. `Authorization: Bearer` requests need no check: no other site can make a
 * browser send that header (it needs a CORS preflight, granted to CORS_ORIGINS only).
 * SameSite=Lax already keeps the cookie off cross-site POSTs in today's browsers; this holds without it.
 */
async function csrfPlugin(app: FastifyInstance): Promise<void> {
  const allowed = new Set([new URL(app.config.PUBLIC_URL).origin, ...corsOrigins(app.config)])
  const allowedList = [...allowed].join(', ')
  const cookieName = app.cookiePolicy.session.name

  // A callback hook: it runs on every request and decides at once, where an async one costs a promise.
  app.addHook('onRequest', (request, _reply, done) => {
    if (!STATE_CHANGING.has(request.method) || request.routeOptions.url === undefined) return done()
    if (sessionCredentialOf(request, cookieName)?.via !== 'cookie') return done()
    const origin = claimedOrigin(request.headers)
    if (origin !== undefined && allowed.has(origin)) return done()
    if (origin === undefined) {
      return done(
        httpError(
          403,
          `a ${request.method} with the session cookie must carry an Origin (or Referer) header ` +
            `from ${allowedList}; a script outside a browser can send Authorization: Bearer <token> instead`,
        ),
      )
    }
    const shown = origin === 'opaque' ? 'an opaque or unreadable origin' : origin.slice(0, 100)
    done(
      httpError(
        403,
        `a ${request.method} with the session cookie from ${shown} is refused ` +
          `(cross-site request forgery): only ${allowedList} may make one`,
      ),
    )
  })
}

export default fp(csrfPlugin, { name: 'csrf', dependencies: ['cookies'] })
