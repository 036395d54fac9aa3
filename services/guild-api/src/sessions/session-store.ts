import { keys, sessionIdOf, TTL, type Cache } from '@guild/cache'
import { and, eq, gt, lt, sessions, type DbHandle } from '@guild/db'
import { deliverInvalidations, recordInvalidations } from '../invalidation/outbox.js'
import { keyTarget, userTarget } from '../invalidation/targets.js'
import { looksLikeSessionToken, newSessionToken } from './tokens.js'

/** The value cached under `user:session:{session_id}`. */
export interface CachedSession {
  bnet_id: number
  /** ISO 8601. */
  expires_at: string
}

/** A session token, the id it hashes to, and the id's cache key. */
interface SessionRef {
  token: string
  sessionId: string
  key: string
}

/** Shared between the requests of one cached session: never changed once made. */
export interface ActiveSession {
  readonly bnetId: number
  /** SHA-256 hex of the token: the contract's session_id. */
  readonly sessionId: string
  readonly expiresAt: Date
}

function isCachedSession(value: unknown): value is CachedSession {
  const v = value as CachedSession | null
  return typeof v?.bnet_id === 'number' && typeof v.expires_at === 'string'
}

/**
 * Sessions live in Postgres (only the token's SHA-256) and are cached in Redis for at most 600 s and
 * never past their expiry, owned by their user so that invalidateUser finds them.
 */
export class SessionStore {
  /** The session a cached value stands for, made once per value (the memory tier hands back the same object). */
  readonly #sessions = new WeakMap<CachedSession, ActiveSession>()
  /**
   * The last token seen on each keep-alive socket, its SHA-256 and its cache key: a client sends the same
   * one each time, and the same key string (its hash kept) is a cheaper lookup than one built anew.
   */
  readonly #digestBySocket = new WeakMap<object, SessionRef>()

  constructor(
    private readonly db: DbHandle,
    private readonly cache: Cache,
    private readonly ttlS: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Opens a session for the user; the token goes to the client once and is never stored. */
  async open(bnetId: number): Promise<{ token: string; expiresAt: Date }> {
    const token = newSessionToken()
    const sessionId = sessionIdOf(token)
    const expiresAt = new Date(this.now() + this.ttlS * 1000)
    await this.db.db.insert(sessions).values({ tokenHash: sessionId, bnetId, expiresAt })
    // Housekeeping in passing: this user's expired sessions can go.
    await this.db.db
      .delete(sessions)
      .where(and(eq(sessions.bnetId, bnetId), lt(sessions.expiresAt, new Date(this.now()))))
    await this.cache.set(keys.userSession(sessionId), this.#value(bnetId, expiresAt), this.#cacheTtl(expiresAt), {
      user: bnetId,
    })
    return { token, expiresAt }
  }

  /**
   * `find` without waiting, when the cache's in-process tier holds the session: the live session, or null
   * (no valid token, or expired). undefined: memory cannot tell, ask `find`.
   */
  peek(token: unknown, socket?: object): ActiveSession | null | undefined {
    if (!looksLikeSessionToken(token)) return null
    const { sessionId, key } = this.#refOf(token, socket)
    const cached = this.cache.peek<CachedSession>(key)
    return isCachedSession(cached) ? this.#live(cached, sessionId) : undefined
  }

  /**
   * The live session a token names, or null. `socket`, when given, remembers the token's digest for the next request on
   * it.
   */
  async find(token: unknown, socket?: object): Promise<ActiveSession | null> {
    if (!looksLikeSessionToken(token)) return null
    const { sessionId, key } = this.#refOf(token, socket)
    const cached = await this.cache.get<CachedSession>(key)
    if (isCachedSession(cached)) return this.#live(cached, sessionId)
    const loaded = await this.#load(sessionId)
    if (loaded === null || this.cache.state() !== 'up') return loaded === null ? null : this.#live(loaded, sessionId)
    // Now that the owner and expiry are known, fill the cache through the write guard: a logout racing
    // this read deletes the lease, and the value read before it never lands.
    const filled = await this.cache.getOrSet(
      key,
      () => this.#load(sessionId),
      this.#cacheTtl(new Date(loaded.expires_at)),
      {
        user: loaded.bnet_id,
      },
    )
    return filled === null ? null : this.#live(filled, sessionId)
  }

  /**
   * Ends a session: the row goes, then its cache entry and the user's cached data, before the caller
   * answers. Both invalidations are recorded with the row's deletion (the outbox): a token that
   * outlived a crash in Redis would still open doors on every other instance.
   */
  async close(session: ActiveSession): Promise<void> {
    const owed = await this.db.db.transaction(async (tx) => {
      await tx.delete(sessions).where(eq(sessions.tokenHash, session.sessionId))
      return await recordInvalidations(tx, this.cache, [
        keyTarget(keys.userSession(session.sessionId)),
        userTarget(session.bnetId),
      ])
    })
    await deliverInvalidations({ db: this.db, cache: this.cache }, owed)
  }

  async #load(sessionId: string): Promise<CachedSession | null> {
    const rows = await this.db.db
      .select({ bnetId: sessions.bnetId, expiresAt: sessions.expiresAt })
      .from(sessions)
      .where(and(eq(sessions.tokenHash, sessionId), gt(sessions.expiresAt, new Date(this.now()))))
      .limit(1)
    const row = rows[0]
    return row === undefined ? null : this.#value(row.bnetId, row.expiresAt)
  }

  #refOf(token: string, socket: object | undefined): SessionRef {
    const last = socket === undefined ? undefined : this.#digestBySocket.get(socket)
    if (last?.token === token) return last
    const sessionId = sessionIdOf(token)
    const ref = { token, sessionId, key: keys.userSession(sessionId) }
    if (socket !== undefined) this.#digestBySocket.set(socket, ref)
    return ref
  }

  #live(value: CachedSession, sessionId: string): ActiveSession | null {
    let session = this.#sessions.get(value)
    // A value is stored under one key, so its session id never differs; checked all the same.
    if (session === undefined || session.sessionId !== sessionId) {
      session = Object.freeze({ bnetId: value.bnet_id, sessionId, expiresAt: new Date(Date.parse(value.expires_at)) })
      this.#sessions.set(value, session)
    }
    return session.expiresAt.getTime() > this.now() ? session : null
  }

  #value(bnetId: number, expiresAt: Date): CachedSession {
    return { bnet_id: bnetId, expires_at: expiresAt.toISOString() }
  }

  /** At most TTL.session (600 s), and never past the session's own expiry. */
  #cacheTtl(expiresAt: Date): number {
    const left = Math.floor((expiresAt.getTime() - this.now()) / 1000)
    return Math.max(1, Math.min(TTL.session, left))
  }
}
