import { STATUS_CODES } from 'node:http'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'

/** The one error shape both services answer with (CONTRACT.md: `{"statusCode", "error", "message"}`). */
export interface ErrorBody {
  statusCode: number
  error: string
  message: string
}

export interface HttpErrorOptions {
  /** Extra response headers, e.g. `WWW-Authenticate` for a 401 or `Retry-After` for a 503. */
  headers?: Record<string, string>
  cause?: unknown
}

/**
 * An error route code throws on purpose: its status and message go to the client as they are,
 * 5xx included (a 503 "permission check unavailable" must say so), unlike an unexpected error.
 */
export class HttpError extends Error {
  override readonly name = 'HttpError'
  readonly statusCode: number
  readonly headers: Record<string, string> | undefined

  constructor(statusCode: number, message: string, options: HttpErrorOptions = {}) {
    if (!Number.isInteger(statusCode) || statusCode < 400 || statusCode > 599) {
      throw new TypeError(`httpError: statusCode must be an integer from 400 to 599, got ${String(statusCode)}`)
    }
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.statusCode = statusCode
    this.headers = options.headers
  }
}

/** `throw httpError(404, 'guild 9001 is not registered')`. */
export function httpError(statusCode: number, message: string, options?: HttpErrorOptions): HttpError {
  return new HttpError(statusCode, message, options)
}

export const GENERIC_SERVER_ERROR_MESSAGE = 'an unexpected error occurred; it has been logged'

export function errorBody(statusCode: number, message: string): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message }
}

function statusOf(error: Partial<FastifyError>): number | undefined {
  const status = error.statusCode
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599 ? status : undefined
}

/**
 * Decides what the client sees. A 4xx is the client's fault and its message (Fastify's validation
 * message names the field; its body-parser errors say what was wrong) helps them fix the request.
 * Anything else may carry internals (SQL, hostnames, stacks), so it gets a generic message; its
 * status is kept when it is a 5xx someone chose on purpose (e.g. 503 from a dependency).
 */
export function toErrorBody(error: unknown): { body: ErrorBody; expose: boolean; headers?: Record<string, string> } {
  const err = (typeof error === 'object' && error !== null ? error : {}) as Partial<FastifyError> & {
    headers?: unknown
  }
  const status = statusOf(err)
  const headers = isHeaderRecord(err.headers) ? err.headers : undefined
  if (error instanceof HttpError) {
    return { body: errorBody(error.statusCode, error.message), expose: true, headers }
  }
  if (status !== undefined && status < 500) {
    return { body: errorBody(status, typeof err.message === 'string' ? err.message : ''), expose: true, headers }
  }
  return { body: errorBody(status ?? 500, GENERIC_SERVER_ERROR_MESSAGE), expose: false }
}

function isHeaderRecord(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && Object.values(value).every((v) => typeof v === 'string')
}

/** The request path without its query string: a query may hold OAuth codes or tokens. */
function pathOf(request: FastifyRequest): string {
  const url = request.url
  const q = url.indexOf('?')
  return q === -1 ? url : url.slice(0, q)
}

async function errorsPlugin(fastify: FastifyInstance): Promise<void> {
  fastify.setErrorHandler(function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply) {
    const { body, expose, headers } = toErrorBody(error)
    if (expose) {
      request.log.info({ statusCode: body.statusCode, reason: body.message }, 'request rejected')
    } else {
      request.log.error({ err: error }, 'request failed with an unexpected error')
    }
    if (headers !== undefined) void reply.headers(headers)
    return reply.code(body.statusCode).type('application/json; charset=utf-8').send(body)
  })

  fastify.setNotFoundHandler(function notFound(request: FastifyRequest, reply: FastifyReply) {
    return reply.code(404).send(errorBody(404, `Route ${request.method}:${pathOf(request)} not found`))
  })
}

/**
 * Every error, and every unknown route, answers JSON `{"statusCode", "error", "message"}`.
 * Register it on the root instance, before the routes.
 */
export const errorHandlerPlugin = fp(errorsPlugin, { name: '@guild/service-kit/errors', fastify: '5.x' })
