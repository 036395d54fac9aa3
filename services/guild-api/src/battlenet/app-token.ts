import { createHash } from 'node:crypto'
import { MAX_TTL, type Cache } from '@guild/cache'
import type { BnetTokenAnswer } from './answers.js'

/** A token this close to its expiry is not handed out: a request made with it could fail midway. */
const EXPIRY_MARGIN_S = 60
/** The entry's TTL until the loader sets it from the token's own `expires_in` (it always does). */
const PROVISIONAL_TTL_S = 60

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
 * until shortly before it expires (getOrSet, its TTL set by the loader from the token's `expires_in`:
 * whatever Redis holds is good to use), and kept in memory in between. Without Redis each instance
 * fetches its own. Fetches in one process are shared, so a burst of syncs asks Battle.net once.
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
    this.#fetching ??= this.#load().finally(() => {
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

  async #load(): Promise<StoredToken> {
    const token = await this.cache.getOrSet<StoredToken>(
      this.key,
      async (ctx) => {
        const answer = await this.fetchToken()
        // Kept in Redis until the margin before its expiry, never past the contract's day.
        ctx.setTtl(Math.min(MAX_TTL, Math.max(1, answer.expiresIn - EXPIRY_MARGIN_S)))
        return { access_token: answer.accessToken, expires_at: this.now() + answer.expiresIn * 1000 }
      },
      PROVISIONAL_TTL_S,
    )
    this.#memory = token
    return token
  }
}
