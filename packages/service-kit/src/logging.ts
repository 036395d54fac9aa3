import type { FastifyServerOptions } from 'fastify'

export type LoggerOptions = Exclude<FastifyServerOptions['logger'], boolean | undefined>

/** Query parameters whose values are credentials: OAuth codes and state, bearer and access tokens. */
export const SECRET_QUERY_PARAMS: readonly string[] = [
  'code',
  'state',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'client_secret',
]

/** Query parameters whose values are personal data: a battletag names a person (`login_hint=Thrall#1234`). */
export const PERSONAL_QUERY_PARAMS: readonly string[] = ['login_hint', 'battletag']

const secretParams = new Set([...SECRET_QUERY_PARAMS, ...PERSONAL_QUERY_PARAMS])

export const REDACTED = '[redacted]'

/**
 * Where a credential can sit in something a handler logs: request and response headers (on a
 * `req`/`res`/`err` object or logged bare) and the usual names of secret fields.
 */
export const REDACT_PATHS: readonly string[] = [
  ...['authorization', 'cookie', 'set-cookie', 'proxy-authorization', 'x-service-token'].flatMap((header) => [
    `headers["${header}"]`,
    `*.headers["${header}"]`,
  ]),
  ...[
    'password',
    'token',
    'accessToken',
    'access_token',
    'refreshToken',
    'refresh_token',
    'clientSecret',
    'client_secret',
  ].flatMap((key) => [key, `*.${key}`]),
  // Personal data: a battletag identifies a player.
  ...['battletag', 'loginHint', 'login_hint'].flatMap((key) => [key, `*.${key}`]),
]

/**
 * The URL with the values of credential-bearing and personal query parameters replaced. Cheap on the hot path:
 * a URL without `?` is returned as is, without parsing.
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?')
  if (q === -1) return url
  const hash = url.indexOf('#', q)
  const query = url.slice(q + 1, hash === -1 ? undefined : hash)
  let changed = false
  const parts = query.split('&').map((part) => {
    const eq = part.indexOf('=')
    const rawName = eq === -1 ? part : part.slice(0, eq)
    let name: string
    try {
      name = decodeURIComponent(rawName.replace(/\+/g, ' ')).toLowerCase()
    } catch {
      name = rawName.toLowerCase()
    }
    if (!secretParams.has(name)) return part
    changed = true
    return `${rawName}=${REDACTED}`
  })
  if (!changed) return url
  return `${url.slice(0, q)}?${parts.join('&')}${hash === -1 ? '' : url.slice(hash)}`
}

interface RequestLike {
  method?: string
  url?: string
  host?: string
  ip?: string
  headers?: Record<string, unknown>
  socket?: { remoteAddress?: string; remotePort?: number } | null
}

/** Fastify's own request serializer, minus credentials in the URL. Headers are never logged. */
export function serializeRequest(request: RequestLike): Record<string, unknown> {
  return {
    method: request.method,
    url: typeof request.url === 'string' ? redactUrl(request.url) : request.url,
    host: request.host ?? request.headers?.host,
    remoteAddress: request.ip ?? request.socket?.remoteAddress,
    remotePort: request.socket?.remotePort,
  }
}

/**
 * Options for Fastify's pino logger: `Fastify({ logger: loggerOptions(config.LOG_LEVEL) })`.
 * Add a `stream` (or `transport`) to send the lines elsewhere than stdout.
 */
export function loggerOptions(level = 'info'): LoggerOptions {
  return {
    level,
    redact: { paths: [...REDACT_PATHS], censor: REDACTED },
    serializers: { req: serializeRequest },
  }
}
