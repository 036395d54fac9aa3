/**
 * What can go wrong talking to Battle.net, each with the status guild-api answers with. Messages name
 * the request (method and path, never a token, code or query) so an operator knows what failed.
 */
export class BattleNetError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = new.target.name
  }
}

/** Battle.net is down, slow past our timeout, or kept answering 429/5xx through the retries: 503. */
export class BattleNetUnavailableError extends BattleNetError {
  constructor(
    message: string,
    /** Seconds, when Battle.net said how long to wait (Retry-After). */
    readonly retryAfterS?: number,
    options?: { cause?: unknown },
  ) {
    super(503, message, options)
  }
}

/**
 * Battle.net answered something we cannot use (not JSON, a missing field, an unexpected status, our
 * credentials refused): 502. The message is for the operator (status, path, configuration hints): it
 * goes to the log, and the client is told only that Battle.net failed (`BATTLE_NET_FAILED`).
 */
export class BattleNetBadAnswerError extends BattleNetError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(502, message, options)
  }
}

/** What a client is told of a BattleNetBadAnswerError. */
export const BATTLE_NET_FAILED = 'Battle.net failed: it sent an answer guild-api cannot use; try again later'

/**
 * A registered guild that Battle.net now files elsewhere (renamed, moved, re-created): a 502 whose message is the
 * user's to read.
 */
export class BattleNetGuildMovedError extends BattleNetBadAnswerError {}

/** Battle.net does not know what we asked for (a guild by realm and name): 404. */
export class BattleNetNotFoundError extends BattleNetError {
  constructor(message: string) {
    super(404, message)
  }
}

/** The authorization code is unknown, expired, used or was issued for another redirect: 400. */
export class BattleNetGrantError extends BattleNetError {
  constructor(message: string) {
    super(400, message)
  }
}

/** BNET_CLIENT_ID / BNET_CLIENT_SECRET are not set, so nothing that needs Battle.net can work: 503. */
export class BattleNetNotConfiguredError extends BattleNetError {
  constructor() {
    super(503, 'Battle.net is not configured: set BNET_CLIENT_ID and BNET_CLIENT_SECRET')
  }
}
