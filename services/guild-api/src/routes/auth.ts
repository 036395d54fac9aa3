import { httpError } from '@guild/service-kit'
import type { FastifyInstance, FastifyReply } from 'fastify'
import { corsOrigins } from '../config.js'
import { completeLogin } from '../sessions/login.js'
import {
  encodePendingLogin,
  matchPendingLogin,
  newPendingLogin,
  STATE_TTL_S,
  UsedStates,
} from '../sessions/login-state.js'
import { checkRedirect } from '../sessions/redirect-target.js'
import { errorResponses, sessionSecurity } from './schemas.js'

const redirectResponse = { 302: { description: 'redirect; see the Location header', type: 'null' } }

/** GET /auth/login, GET /auth/callback, POST /auth/logout. */
export default async function authRoutes(app: FastifyInstance): Promise<void> {
  const origins = corsOrigins(app.config)
  const usedStates = new UsedStates()
  const { session: sessionCookie, state: stateCookie } = app.cookiePolicy

  const clearState = (reply: FastifyReply) => reply.clearCookie(stateCookie.name, stateCookie.options)

  app.get<{ Querystring: { login_hint?: string; redirect?: string } }>(
    '/auth/login',
    {
      schema: {
        tags: ['auth'],
        operationId: 'startLogin',
        security: [],
        summary: "Starts a Battle.net login: 302 to Battle.net's authorize page, state bound to a signed cookie",
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            login_hint: { type: 'string', minLength: 1, maxLength: 200, description: 'passed on to Battle.net' },
            redirect: {
              type: 'string',
              minLength: 1,
              maxLength: 2000,
              description: 'a local path, or a URL on one of CORS_ORIGINS; default /me',
            },
          },
        },
        response: { ...redirectResponse, ...errorResponses(400, 503) },
      },
    },
    async (request, reply) => {
      const redirect = checkRedirect(request.query.redirect, origins)
      const pending = newPendingLogin(redirect)
      const target = app.bnet.authorizeUrl(pending.state, request.query.login_hint)
      void reply.setCookie(stateCookie.name, encodePendingLogin(pending), {
        ...stateCookie.options,
        signed: true,
        maxAge: STATE_TTL_S,
      })
      return reply.redirect(target, 302)
    },
  )

  app.get<{ Querystring: { code?: string; state?: string; error?: string; error_description?: string } }>(
    '/auth/callback',
    {
      schema: {
        tags: ['auth'],
        operationId: 'completeLogin',
        security: [],
        summary: 'Where Battle.net sends the browser back: opens a session (cookie sid) and redirects',
        querystring: {
          type: 'object',
          properties: {
            code: { type: 'string', minLength: 1, maxLength: 2000 },
            state: { type: 'string', minLength: 1, maxLength: 200 },
            error: { type: 'string', maxLength: 200 },
            error_description: { type: 'string', maxLength: 2000 },
          },
        },
        response: { ...redirectResponse, ...errorResponses(400, 502, 503) },
      },
    },
    async (request, reply) => {
      const { code, state, error } = request.query
      clearState(reply)
      if (error !== undefined)
        throw httpError(
          400,
          `Battle.net did not complete the login (${error.slice(0, 100)}); start again at /auth/login`,
        )
      if (state === undefined) throw httpError(400, 'querystring/state is required')
      if (code === undefined) throw httpError(400, 'querystring/code is required')
      const unsigned = request.unsignCookie(request.cookies[stateCookie.name] ?? '')
      const pending = matchPendingLogin(unsigned.valid ? unsigned.value : null, state)
      if (!usedStates.consume(pending.state, pending.expiresAt)) {
        throw httpError(400, 'state was used already: this login is complete; start again at /auth/login')
      }
      const login = await completeLogin({ db: app.db, cache: app.cache, bnet: app.bnet, sessions: app.sessions }, code)
      void reply.setCookie(sessionCookie.name, login.token, { ...sessionCookie.options, expires: login.expiresAt })
      return reply.redirect(pending.redirect, 302)
    },
  )

  app.post(
    '/auth/logout',
    {
      config: { session: 'required' },
      schema: {
        tags: ['auth'],
        operationId: 'logout',
        summary: 'Ends the session: the token stops working at once',
        security: sessionSecurity,
        response: { 204: { description: 'logged out', type: 'null' }, ...errorResponses(401) },
      },
    },
    async (request, reply) => {
      const session = request.session
      if (session === null) throw httpError(401, 'a valid session is required')
      await app.sessions.close(session)
      void reply.clearCookie(sessionCookie.name, sessionCookie.options)
      return reply.code(204).send()
    },
  )
}
