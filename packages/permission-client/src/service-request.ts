import type { Dispatcher, Pool } from 'undici'
import { PermissionUndecidedError } from './errors.js'

export interface PermissionLogger {
  error(obj: object, msg: string): void
  warn(obj: object, msg: string): void
}

export interface ServiceRequest {
  method: 'GET' | 'POST'
  path: string
  body?: string
  signal: AbortSignal
}

export interface ServiceTransport {
  pool: Pool
  token: string
  logger: PermissionLogger
}

// A keep-alive socket the service closed just as we reused it fails this way before anything was
// processed; both routes only read, so one more try on a fresh socket is safe.
const RETRYABLE_CODES = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE'])
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'])

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}

function transportFailure(err: unknown, signal: AbortSignal): PermissionUndecidedError {
  if (err instanceof PermissionUndecidedError) return err
  const code = errorCode(err)
  if (signal.aborted || (code !== undefined && TIMEOUT_CODES.has(code))) {
    return new PermissionUndecidedError('timeout', 'permission-service did not answer in time', { cause: err })
  }
  const detail = err instanceof Error ? err.message : String(err)
  return new PermissionUndecidedError('unreachable', `permission-service unreachable: ${code ?? detail}`, { cause: err })
}

async function discard(body: Dispatcher.ResponseData['body']): Promise<void> {
  // Consuming the body is what returns the socket to the pool; a failure here only loses the socket.
  await body.dump().catch(() => undefined)
}

function statusFailure(status: number, transport: ServiceTransport, path: string): PermissionUndecidedError {
  if (status === 401 || status === 403) {
    transport.logger.error(
      { status, path },
      'permission-service refused our SERVICE_TOKEN: guild-api and permission-service must be started with the same SERVICE_TOKEN. Every guarded route answers 503 until this is fixed.',
    )
    return new PermissionUndecidedError('unauthorized', `permission-service answered ${status} to our service token`)
  }
  if (status === 400) {
    // We validate before sending, so a 400 means client and service disagree about the contract.
    transport.logger.error({ status, path }, 'permission-service rejected a request this client validated: contract mismatch')
    return new PermissionUndecidedError('rejected', 'permission-service answered 400 to a validated request')
  }
  return new PermissionUndecidedError('server-error', `permission-service answered ${status}`)
}

/**
 * One exchange with permission-service: the parsed JSON of a 200, or a PermissionUndecidedError.
 * The body is always consumed (json on 200, dump otherwise) so no socket is left stuck.
 */
export async function requestService(transport: ServiceTransport, req: ServiceRequest): Promise<unknown> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${transport.token}`,
    accept: 'application/json',
  }
  if (req.body !== undefined) headers['content-type'] = 'application/json'

  let response: Dispatcher.ResponseData | undefined
  for (let attempt = 0; response === undefined; attempt++) {
    try {
      response = await transport.pool.request({
        method: req.method,
        path: req.path,
        headers,
        body: req.body ?? null,
        signal: req.signal,
      })
    } catch (err) {
      const code = errorCode(err)
      const retry = attempt === 0 && !req.signal.aborted && code !== undefined && RETRYABLE_CODES.has(code)
      if (!retry) throw transportFailure(err, req.signal)
    }
  }

  if (response.statusCode !== 200) {
    await discard(response.body)
    throw statusFailure(response.statusCode, transport, req.path)
  }
  try {
    return await response.body.json()
  } catch (err) {
    if (req.signal.aborted) throw transportFailure(err, req.signal)
    await discard(response.body)
    throw new PermissionUndecidedError('malformed-answer', 'permission-service answered 200 with a body that is not JSON', {
      cause: err,
    })
  }
}
