import { createHash } from 'node:crypto'
import type { Cache } from '@guild/cache'
import type { BnetTokenAnswer } from './answers.js'

/** A token this close to its expiry is not handed out: a request made with it could fail midway. */
const EXPIRY_MARGIN_S = 60

interface StoredToken {
  access_token: string
  /** Milliseconds since the epoch. */
  expires_at: number
}

/** The Redis key (a `cache:` key, as the contract wants for everything it does not name) for one client's token. */
export function appTokenKey(oauthUrl: string, clientId: string): string {
  const digest = createHash('sha256').update(`${oauthUrl}\n${clientId}`).digest('hex').slice(0, 24)
  return `cache:bnet:app-token:${digest}`
}

/**
 * The client-credentials token for the API (guild rosters), shared by every instance through Redis
 * until shortly before it expires, and kept in memory in between. Without Redis each instance fetches
 * its own. Fetches in one process are shared, so a burst of syncs asks Battle.net once.
 */
export class AppTokenProvider {
  #memory: StoredToken | undefined
  #fetching: Promise<StoredToken> | undefined

  constructor(
    private readonly cache: Cache,
    private readonly key: string,
    private readonly fetchToken: () => Promise<BnetTokenAnswer>,
    private readonly now: () => number = Date.now,
  ) {}

  async get(): Promise<string> {
    if (this.#fresh(this.#memory)) return this.#memory.access_token
    const stored = await this.cache.get<StoredToken>(this.key)
    if (this.#fresh(stored)) {
      this.#memory = stored
      return stored.access_token
    }
    this.#fetching ??= this.#fetch().finally(() => {
      this.#fetching = undefined
    })
    return (await this.#fetching).access_token
  }

  /** Battle.net refused the token (revoked, rotated secret): forget it everywhere. */
  async drop(): Promise<void> {
    this.#memory = undefined
    await this.cache.delete(this.key)
  }

  #fresh(token: StoredToken | null | undefined): token is StoredToken {
    return (
      token !== null &&
      token !== undefined &&
      typeof token.access_token === 'string' &&
      typeof token.expires_at === 'number' &&
      token.expires_at - this.now() > EXPIRY_MARGIN_S * 1000
    )
  }

  async #fetch(): Promise<StoredToken> {
    const answer = await this.fetchToken()
    const token: StoredToken = { access_token: answer.accessToken, expires_at: this.now() + answer.expiresIn * 1000 }
    this.#memory = token
    const ttl = Math.min(86_400, answer.expiresIn - EXPIRY_MARGIN_S)
    // Nothing invalidates this key, so the write guard has nothing to protect: a plain set with its exact TTL.
    if (ttl >= 1) await this.cache.set(this.key, token, ttl)
    return token
  }
}
