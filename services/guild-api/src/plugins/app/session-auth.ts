import { httpError } from '@guild/service-kit'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from '../../db-unavailable.js'
import { SessionStore, type ActiveSession } from '../../sessions/session-store.js'

export interface SessionUser {
  bnetId: number
}

declare module 'fastify' {
  interface FastifyInstance {
    sessions: SessionStore
  }
  interface FastifyRequest {
    /** The session's user; null on the routes that need none. */
    user: SessionUser | null
    session: ActiveSession | null
  }
  interface FastifyContextConfig {
    /** `required`: a route under a public prefix (POST /auth/logout) that still needs a session. */
    session?: 'required'
  }
}

/**
 * The contract's exceptions: everything else answers 401 without a valid session. `*` is CORS's
 * OPTIONS route: a preflight never carries credentials (the Fetch standard leaves them out).
 */
const PUBLIC_ROUTES = [/^\/auth\//, /^\/health\//, /^\/metrics$/, /^\/docs(\/|$)/, /^\*$/]

/** The session cookie's name over http; over https it is `__Host-sid` (`cookiePolicy`, cookies.ts). */
export const SESSION_COOKIE = 'sid'

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')
  return match?.[1]
}

export interface SessionCredential {
  token: string
  /**
   * A cookie travels with requests a browser makes for other sites' pages (so it needs the CSRF check); a header does
   * not.
   */
  via: 'bearer' | 'cookie'
}

/**
 * The session token a request carries and how: `Authorization: Bearer …` first, else the session cookie (`sid`, or
 * `__Host-sid` over https).
 */
export function sessionCredentialOf(request: FastifyRequest, cookieName: string): SessionCredential | undefined {
  const bearer = bearerToken(request.headers.authorization)
  if (bearer !== undefined) return { token: bearer, via: 'bearer' }
  const cookie = request.cookies[cookieName]
  return cookie === undefined ? undefined : { token: cookie, via: 'cookie' }
}

/**
 * Sets `request.user = { bnetId }` from the session before anything else runs, and answers 401 on
 * every route outside the public prefixes without a valid one. Public routes never touch the
 * session store, so health probes and metrics scrapes cost no lookup.
 */
async function sessionAuthPlugin(app: FastifyInstance): Promise<void> {
  app.decorate('sessions', new SessionStore(app.db, app.cache, app.config.SESSION_TTL_S))
  const cookieName = app.cookiePolicy.session.name
  app.decorateRequest('user', null)
  app.decorateRequest('session', null)

  // Whether a route needs a session is decided once per route (its config object is the route's own).
  const requiredByRoute = new WeakMap<object, boolean>()
  const accept = (request: FastifyRequest, session: ActiveSession | null): Error | undefined => {
    if (session === null) {
      return httpError(
        401,
        'a valid session is required: log in at /auth/login, then send the sid cookie or Authorization: Bearer <token>',
        {
          headers: { 'www-authenticate': 'Bearer' },
        },
      )
    }
    request.session = session
    request.user = { bnetId: session.bnetId }
    return undefined
  }
  const unavailable = (err: unknown): unknown =>
    isDatabaseUnavailable(err) ? httpError(503, DATABASE_UNAVAILABLE_MESSAGE, { cause: err }) : err

  // A callback hook: a session the cache's memory holds is accepted in the same turn, with no promise.
  app.addHook('onRequest', (request, _reply, done) => {
    const route = request.routeOptions
    const url = route.url
    if (url === undefined) return done() // no such route: the 404 handler answers
    let required = requiredByRoute.get(route.config)
    if (required === undefined) {
      required = route.config.session === 'required' || !PUBLIC_ROUTES.some((re) => re.test(url))
      requiredByRoute.set(route.config, required)
    }
    if (!required) return done()
    const token = sessionCredentialOf(request, cookieName)?.token
    const known = app.sessions.peek(token, request.raw.socket)
    if (known !== undefined) return done(accept(request, known))
    app.sessions.find(token, request.raw.socket).then(
      (session) => done(accept(request, session)),
      (err: unknown) => done(unavailable(err) as Error),
    )
  })
}

export default fp(sessionAuthPlugin, { name: 'session-auth', dependencies: ['db', 'cache', 'cookies'] })
