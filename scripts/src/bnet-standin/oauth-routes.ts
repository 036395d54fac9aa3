import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { findUser, type StandinContext } from './context.js'
import { OAuthError, stringParam } from './errors.js'
import type { Fixtures } from './fixtures.js'
import { bearerToken } from './grants.js'
import { loginPage } from './login-page.js'

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const required = (source: Record<string, unknown>, name: string): string => {
  const value = stringParam(source, name)
  if (value === undefined) throw new OAuthError(400, 'invalid_request', `${name} is required`)
  return value
}

const invalidClient = (description: string): OAuthError =>
  new OAuthError(401, 'invalid_client', description, { 'www-authenticate': 'Basic realm="Battle.net stand-in"' })

/** The client's id and secret, from HTTP Basic (RFC 6749 §2.3.1, form-encoded parts) or else the body. */
function clientCredentials(
  authorization: string | undefined,
  body: Record<string, unknown>,
): { id: string; secret: string } {
  const basic = /^Basic\s+(\S+)\s*$/i.exec(authorization ?? '')
  if (basic) {
    const decoded = Buffer.from(basic[1] as string, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    if (colon < 0) throw invalidClient('HTTP Basic credentials must be client_id:client_secret')
    try {
      const formDecode = (part: string): string => decodeURIComponent(part.replace(/\+/g, ' '))
      return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) }
    } catch {
      throw invalidClient('HTTP Basic credentials are not form-encoded correctly')
    }
  }
  const id = stringParam(body, 'client_id')
  const secret = stringParam(body, 'client_secret')
  if (id === undefined || secret === undefined) {
    throw invalidClient('client authentication is required: HTTP Basic, or client_id and client_secret in the body')
  }
  return { id, secret }
}

function authenticateClient(fixtures: Fixtures, request: FastifyRequest, body: Record<string, unknown>): string {
  const client = clientCredentials(request.headers.authorization, body)
  if (client.id === '' || client.secret === '') throw invalidClient('client_id and client_secret must not be empty')
  if (fixtures.clients && fixtures.clients[client.id] !== client.secret) {
    throw invalidClient(`client ${client.id} is not in the fixture file's "clients" or its secret differs`)
  }
  return client.id
}

export function registerOAuthRoutes(app: FastifyInstance, ctx: StandinContext): void {
  const authorize = async (request: FastifyRequest, reply: FastifyReply) => {
    const query = request.query as Record<string, unknown>
    const clientId = required(query, 'client_id')
    const redirectUri = required(query, 'redirect_uri')
    let target: URL
    try {
      target = new URL(redirectUri)
    } catch {
      throw new OAuthError(400, 'invalid_request', 'redirect_uri must be an absolute http(s) URL')
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      throw new OAuthError(400, 'invalid_request', 'redirect_uri must be an absolute http(s) URL')
    }
    // Compared as registered, character for character, as Battle.net does: never redirect to an unregistered URI.
    if (ctx.redirectUris !== undefined && !ctx.redirectUris.includes(redirectUri)) {
      throw new OAuthError(
        400,
        'invalid_request',
        `redirect_uri ${redirectUri.slice(0, 200)} is not registered for this client ` +
          `(registered: ${ctx.redirectUris.join(', ')})`,
      )
    }
    const responseType = stringParam(query, 'response_type')
    if (responseType !== undefined && responseType !== 'code') {
      throw new OAuthError(400, 'unsupported_response_type', 'response_type must be "code"')
    }
    const state = stringParam(query, 'state')
    const scope = stringParam(query, 'scope')
    const hint = stringParam(query, 'login_hint')
    const fixtures = ctx.fixtures(request)
    if (fixtures.clients && !(clientId in fixtures.clients)) {
      throw new OAuthError(400, 'invalid_request', `client_id ${clientId} is not in the fixture file's "clients"`)
    }
    const user = hint === undefined ? undefined : findUser(fixtures, hint)
    if (!user) {
      const params: Record<string, string> = { client_id: clientId, redirect_uri: redirectUri }
      if (state !== undefined) params.state = state
      if (scope !== undefined) params.scope = scope
      if (responseType !== undefined) params.response_type = responseType
      return reply.type('text/html; charset=utf-8').send(loginPage(fixtures.users, params, hint))
    }
    const code = ctx.grants.issueCode({ clientId, redirectUri, userId: user.id, scope })
    target.searchParams.set('code', code)
    if (state !== undefined) target.searchParams.set('state', state)
    return reply.redirect(target.toString(), 302)
  }

  const token = async (request: FastifyRequest, reply: FastifyReply) => {
    const body = isRecord(request.body) ? request.body : {}
    const fixtures = ctx.fixtures(request)
    const clientId = authenticateClient(fixtures, request, body)
    const grantType = required(body, 'grant_type')
    reply.header('cache-control', 'no-store')
    if (grantType === 'client_credentials') {
      const scope = stringParam(body, 'scope')
      const issued = ctx.grants.issueToken({ kind: 'client', clientId, scope })
      return {
        access_token: issued.accessToken,
        token_type: 'bearer',
        expires_in: issued.expiresIn,
        ...(scope ? { scope } : {}),
      }
    }
    if (grantType !== 'authorization_code') {
      throw new OAuthError(400, 'unsupported_grant_type', 'grant_type must be authorization_code or client_credentials')
    }
    const code = required(body, 'code')
    const redirectUri = required(body, 'redirect_uri')
    const grant = ctx.grants.takeCode(code)
    if (!grant) throw new OAuthError(400, 'invalid_grant', 'code is unknown, expired or already used')
    if (grant.clientId !== clientId) throw new OAuthError(400, 'invalid_grant', 'code was issued to another client')
    if (grant.redirectUri !== redirectUri) {
      throw new OAuthError(400, 'invalid_grant', 'redirect_uri differs from the one given to /oauth/authorize')
    }
    if (!fixtures.users.some((user) => user.id === grant.userId)) {
      throw new OAuthError(400, 'invalid_grant', `user ${grant.userId} is no longer in the fixture file`)
    }
    const issued = ctx.grants.issueToken({ kind: 'user', userId: grant.userId, clientId, scope: grant.scope })
    return {
      access_token: issued.accessToken,
      token_type: 'bearer',
      expires_in: issued.expiresIn,
      ...(grant.scope ? { scope: grant.scope } : {}),
    }
  }

  const userinfo = async (request: FastifyRequest) => {
    const grant = ctx.grants.lookupToken(bearerToken(request.headers.authorization) ?? '')
    const user = grant?.kind === 'user' ? ctx.fixtures(request).users.find((u) => u.id === grant.userId) : undefined
    if (!user) {
      throw new OAuthError(401, 'invalid_token', 'a valid Bearer user access token is required', {
        'www-authenticate': 'Bearer error="invalid_token"',
      })
    }
    return { id: user.id, sub: String(user.id), battletag: user.battletag }
  }

  // Battle.net serves these both under /oauth/… and at the root of oauth.battle.net; so does the stand-in.
  for (const prefix of ['/oauth', '']) {
    app.get(`${prefix}/authorize`, authorize)
    app.post(`${prefix}/token`, token)
    app.get(`${prefix}/userinfo`, userinfo)
  }
}
