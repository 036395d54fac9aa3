import { randomBytes } from 'node:crypto'
import { httpError, safeEqual } from '@guild/service-kit'

/** The signed cookie that ties an OAuth `state` to the browser that started the login. */
export const STATE_COOKIE = 'oauth_state'
/** A login has this long to come back from Battle.net. */
export const STATE_TTL_S = 600

export interface PendingLogin {
  state: string
  redirect: string
  /** Milliseconds since the epoch. */
  expiresAt: number
}

export function newPendingLogin(redirect: string, now = Date.now()): PendingLogin {
  return { state: randomBytes(24).toString('base64url'), redirect, expiresAt: now + STATE_TTL_S * 1000 }
}

export function encodePendingLogin(login: PendingLogin): string {
  return Buffer.from(JSON.stringify(login)).toString('base64url')
}

const restart = 'start again at /auth/login'

/**
 * The pending login the (already unsigned) cookie holds, checked against the `state` Battle.net sent
 * back. A missing, forged, expired or different state is a 400: the callback did not come from a
 * login this browser started.
 */
export function matchPendingLogin(cookieValue: string | null, state: string, now = Date.now()): PendingLogin {
  if (cookieValue === null)
    throw httpError(400, `state: no login was started in this browser, or its cookie was forged; ${restart}`)
  let login: PendingLogin
  try {
    login = JSON.parse(Buffer.from(cookieValue, 'base64url').toString('utf8')) as PendingLogin
  } catch {
    throw httpError(400, `state: the login cookie is unreadable; ${restart}`)
  }
  if (typeof login?.state !== 'string' || typeof login.redirect !== 'string' || typeof login.expiresAt !== 'number') {
    throw httpError(400, `state: the login cookie is unreadable; ${restart}`)
  }
  if (!safeEqual(login.state, state))
    throw httpError(400, `state does not match the login this browser started; ${restart}`)
  if (login.expiresAt <= now) throw httpError(400, `state: the login took longer than ${STATE_TTL_S} s; ${restart}`)
  return login
}

/**
 * States already used in this process. The signed cookie is cleared after one use, but a replayed
 * request carries the cookie again; this refuses it. Entries leave when their login would have
 * expired anyway, and the set is bounded so a flood cannot grow it without limit. (Across instances a
 * replay still fails: Battle.net redeems an authorization code once.)
 */
export class UsedStates {
  readonly #used = new Map<string, number>()

  constructor(private readonly max = 100_000) {}

  /** True the first time a state is seen (before its expiry), false on every replay. */
  consume(state: string, expiresAt: number, now = Date.now()): boolean {
    this.#prune(now)
    if (this.#used.has(state)) return false
    if (this.#used.size >= this.max) {
      const oldest = this.#used.keys().next().value
      if (oldest !== undefined) this.#used.delete(oldest)
    }
    this.#used.set(state, expiresAt)
    return true
  }

  #prune(now: number): void {
    // Insertion order is expiry order (every state lives STATE_TTL_S), so stop at the first live one.
    for (const [state, expiresAt] of this.#used) {
      if (expiresAt > now) break
      this.#used.delete(state)
    }
  }
}
