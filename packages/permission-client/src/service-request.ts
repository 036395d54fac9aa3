import type { DeadlineSignal } from '@guild/resilience'
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
  signal: DeadlineSignal
}

export interface ServiceTransport {
  pool: Pool
  logger: PermissionLogger
  /** The same for every exchange, so built once (`serviceHeaders`): for a GET, and for a request with a JSON body. */
  headers: { read: Record<string, string>; json: Record<string, string> }
}

export function serviceHeaders(token: string): ServiceTransport['headers'] {
  const read = { authorization: `Bearer ${token}`, accept: 'application/json' }
  return { read, json: { ...read, 'content-type': 'application/json' } }
}

// A keep-alive socket the service closed just as we reused it fails this way before anything was
// processed; both routes only read, so one more try on a fresh socket is safe.
const RETRYABLE_CODES = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE'])
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'])

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}

function transportFailure(err: unknown, signal: DeadlineSignal): PermissionUndecidedError {
  if (err instanceof PermissionUndecidedError) return err
  const code = errorCode(err)
  if (signal.aborted || (code !== undefined && TIMEOUT_CODES.has(code))) {
    return new PermissionUndecidedError('timeout', 'permission-service did not answer in time', { cause: err })
  }
  const detail = err instanceof Error ? err.message : String(err)
  return new PermissionUndecidedError('unreachable', `permission-service unreachable: ${code ?? detail}`, {
    cause: err,
  })
}

function statusFailure(status: number, transport: ServiceTransport, path: string): PermissionUndecidedError {
  if (status === 401 || status === 403) {
    transport.logger.error(
      { status, path },
      'permission-service refused our SERVICE_TOKEN: guild-api and permission-service must be started ' +
        'with the same SERVICE_TOKEN. Every guarded route answers 503 until this is fixed.',
    )
    return new PermissionUndecidedError('unauthorized', `permission-service answered ${status} to our service token`)
  }
  if (status === 400) {
    // We validate before sending, so a 400 means client and service disagree about the contract.
    transport.logger.error(
      { status, path },
      'permission-service rejected a request this client validated: contract mismatch',
    )
    return new PermissionUndecidedError('rejected', 'permission-service answered 400 to a validated request')
  }
  return new PermissionUndecidedError('server-error', `permission-service answered ${status}`)
}

/** The most body a permission answer may have: a batch of 100 answers is ~2 kB. */
const MAX_BODY_BYTES = 1 << 20

/** What one exchange gave: the status (0 when no response began) and the body, or the error that ended it. */
interface Outcome {
  statusCode: number
  body?: string
  error?: unknown
}

/**
 * One exchange through the pool's `dispatch`, its body read whole. undici's `request()` wraps the same
 * dispatch in an async resource, a body stream and its consumers: a third of the hop's cost in guild-api
 * for a body of 20 bytes. The signal is honoured as `request()` honours it: before the request reaches a
 * socket it is never sent; after, it is aborted. Never rejects.
 */
function exchangeOnce(pool: Pool, req: ServiceRequest, headers: Record<string, string>): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => {
    const { signal } = req
    let controller: Dispatcher.DispatchController | undefined
    let statusCode = 0
    let size = 0
    const chunks: Buffer[] = []
    const onAbort = () => controller?.abort(signal.reason instanceof Error ? signal.reason : new Error('aborted'))
    const settle = (outcome: Outcome) => {
      signal.removeListener('abort', onAbort)
      resolve(outcome)
    }
    if (signal.aborted) return settle({ statusCode, error: signal.reason })
    signal.once('abort', onAbort)
    pool.dispatch(
      { method: req.method, path: req.path, headers, body: req.body ?? null },
      {
        onRequestStart(c) {
          controller = c
          if (signal.aborted) onAbort()
        },
        onResponseStart(_c, status) {
          statusCode = status
        },
        onResponseData(c, chunk) {
          size += chunk.length
          if (size > MAX_BODY_BYTES) return c.abort(new Error(`an answer of more than ${MAX_BODY_BYTES} bytes`))
          chunks.push(chunk)
        },
        onResponseEnd() {
          settle({ statusCode, body: Buffer.concat(chunks).toString('utf8') })
        },
        onResponseError(_c, error) {
          settle({ statusCode, error })
        },
      },
    )
  })
}

/**
 * One exchange with permission-service: the parsed JSON of a 200, or a PermissionUndecidedError. Every
 * body is read to its end, so the socket goes back to the pool.
 */
export async function requestService(transport: ServiceTransport, req: ServiceRequest): Promise<unknown> {
  const headers = req.body === undefined ? transport.headers.read : transport.headers.json
  let outcome = await exchangeOnce(transport.pool, req, headers)
  if (outcome.error !== undefined && outcome.statusCode === 0) {
    const code = errorCode(outcome.error)
    if (!req.signal.aborted && code !== undefined && RETRYABLE_CODES.has(code))
      outcome = await exchangeOnce(transport.pool, req, headers)
    if (outcome.error !== undefined && outcome.statusCode === 0) throw transportFailure(outcome.error, req.signal)
  }
  if (outcome.statusCode !== 200) throw statusFailure(outcome.statusCode, transport, req.path)
  if (outcome.error !== undefined && req.signal.aborted) throw transportFailure(outcome.error, req.signal)
  // A 200 whose body broke off (too long, or cut) is as unreadable as one that is not JSON.
  if (outcome.error !== undefined) throw malformedAnswer(outcome.error)
  return parseAnswer(outcome.body as string)
}

function malformedAnswer(cause: unknown): PermissionUndecidedError {
  return new PermissionUndecidedError(
    'malformed-answer',
    'permission-service answered 200 with a body that is not JSON',
    { cause },
  )
}

function parseAnswer(body: string): unknown {
  try {
    return JSON.parse(body) as unknown
  } catch (err) {
    throw malformedAnswer(err)
  }
}
