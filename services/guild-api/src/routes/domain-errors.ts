import { PermissionInputError, PermissionUndecidedError } from '@guild/permission-client'
import { httpError } from '@guild/service-kit'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import {
  BATTLE_NET_FAILED,
  BattleNetBadAnswerError,
  BattleNetError,
  BattleNetGuildMovedError,
  BattleNetUnavailableError,
} from '../battlenet/errors.js'
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from '../db-unavailable.js'

/**
 * The domain's typed errors as HTTP errors; anything else goes on unchanged. Battle.net's unusable
 * answers are logged with their detail and told to the client as "Battle.net failed" alone: a status,
 * a path or "check BNET_CLIENT_SECRET" is the operator's business.
 */
export function toHttpError(err: unknown, log: FastifyBaseLogger): unknown {
  if (err instanceof BattleNetBadAnswerError && !(err instanceof BattleNetGuildMovedError)) {
    log.error({ err }, 'Battle.net failed')
    return httpError(502, BATTLE_NET_FAILED, { cause: err })
  }
  if (err instanceof BattleNetError) {
    const retryAfter =
      err instanceof BattleNetUnavailableError && err.retryAfterS !== undefined
        ? { 'retry-after': String(err.retryAfterS) }
        : undefined
    return httpError(err.statusCode, err.message, { cause: err, ...(retryAfter ? { headers: retryAfter } : {}) })
  }
  if (err instanceof PermissionUndecidedError) return httpError(503, 'permission check unavailable', { cause: err })
  if (err instanceof PermissionInputError) return httpError(400, err.message, { cause: err })
  if (isDatabaseUnavailable(err)) return httpError(503, DATABASE_UNAVAILABLE_MESSAGE, { cause: err })
  return err
}

/**
 * Maps domain errors in the routes' context, then hands them to the root error handler (service-kit's),
 * which shapes every answer as {statusCode, error, message}: a handler that throws passes its error up.
 */
export function mapDomainErrors(app: FastifyInstance): void {
  app.setErrorHandler(async (err, request) => {
    throw toHttpError(err, request.log)
  })
}
