import type { PermissionLogger } from './service-request.js'
import type { PermissionClientOptions } from './client-types.js'

/** The options checked and defaulted, before anything is opened. */
export interface ResolvedClientOptions {
  origin: string
  /** The URL's path, kept as a prefix of every route, without a trailing slash. */
  prefix: string
  token: string
  deadlineMs: number
  connections: number
  logger: PermissionLogger
}

const consoleLogger: PermissionLogger = {
  error: (obj, msg) => console.error(`[@guild/permission-client] ${msg}`, obj),
  warn: (obj, msg) => console.warn(`[@guild/permission-client] ${msg}`, obj),
}

export function resolveClientOptions(options: PermissionClientOptions): ResolvedClientOptions {
  const { origin, prefix } = parseServiceUrl(options.url)
  if (typeof options.token !== 'string' || options.token.length === 0) {
    throw new TypeError('permission-client: token is empty; pass SERVICE_TOKEN, the secret permission-service expects')
  }
  return {
    origin,
    prefix,
    token: options.token,
    deadlineMs: positiveInteger(options.deadlineMs ?? 250, 'deadlineMs'),
    connections: positiveInteger(options.connections ?? 32, 'connections'),
    logger: options.logger ?? consoleLogger,
  }
}

function parseServiceUrl(raw: string): { origin: string; prefix: string } {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new TypeError(
      `permission-client: url ${JSON.stringify(raw)} is not a URL; ` +
        'set PERMISSION_SERVICE_URL to e.g. http://127.0.0.1:3001',
    )
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`permission-client: url must be http(s), got ${url.protocol}`)
  }
  return { origin: url.origin, prefix: url.pathname.replace(/\/+$/, '') }
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`permission-client: ${name} must be an integer >= 1, got ${String(value)}`)
  }
  return value
}
