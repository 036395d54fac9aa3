import { LogController, type FastifyReply, type FastifyRequest } from 'fastify'

/** A request whose logger writes nothing at info: a route declared at `warn`, or a service at LOG_LEVEL=warn. */
function quiet(request: FastifyRequest): boolean {
  const log = request.log as { isLevelEnabled?: (level: string) => boolean } | undefined
  return log?.isLevelEnabled?.('info') === false
}

/**
 * Fastify's per-request lines ("incoming request", "request completed"), skipped up front where the
 * request's logger would drop them: Fastify builds both lines' objects and reads the response time
 * before the logger says no, on every check. Lines about errors are Fastify's as ever.
 * `Fastify({ logController: new RequestLogController() })`.
 */
export class RequestLogController extends LogController {
  override incomingRequest(request: FastifyRequest, reply: FastifyReply, metadata?: Record<string, unknown>): void {
    if (quiet(request)) return
    super.incomingRequest(request, reply, metadata)
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
    metadata?: Record<string, unknown>,
  ): void {
    if (!error && quiet(request)) return
    super.requestCompleted(error, request, reply, metadata)
  }
}
