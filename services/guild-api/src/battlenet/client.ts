import type { Cache } from '@guild/cache'
import { apiBaseUrl, type BnetRegion } from '../config.js'
import {
  readCharacters,
  readRealmIndex,
  readRoster,
  readToken,
  readUser,
  type BnetCharacter,
  type BnetRealm,
  type BnetRoster,
  type BnetTokenAnswer,
  type BnetUser,
} from './answers.js'
import { AppTokenProvider, appTokenKey } from './app-token.js'
import {
  BattleNetBadAnswerError,
  BattleNetGrantError,
  BattleNetNotConfiguredError,
  BattleNetNotFoundError,
} from './errors.js'
import { BnetHttp, type BnetResponse } from './http.js'
import type { BnetPriority, BnetQuota } from './quota.js'
import { UnknownGuilds } from './unknown-guilds.js'

export interface BattleNetClientOptions {
  clientId: string | undefined
  clientSecret: string | undefined
  /** BNET_OAUTH_URL */
  oauthUrl: string
  /** BNET_API_URL, `{region}` replaced per call */
  apiUrl: string
  region: BnetRegion
  /** PUBLIC_URL + /auth/callback */
  redirectUri: string
  timeoutMs: number
  maxRetries: number
  cache: Cache
  /** For tests: the first backoff without Retry-After. */
  backoffMs?: number
  /** The call quota shared by every instance; none: unlimited (tests of the client alone). */
  quota?: BnetQuota | undefined
  /** The largest answer read (default 4 MiB). */
  maxBodyBytes?: number | undefined
  log?: { warn(obj: object, msg: string): void }
}

export interface RosterOptions {
  /** Who waits for the quota (default `interactive`). */
  priority?: BnetPriority
  /**
   * Believe (and remember) a recent 404 for this realm and name (default true): a registration's typo.
   * A registered guild's sync asks Battle.net itself, since a rename may have just been undone.
   */
  notFoundMemory?: boolean
}

export const SCOPE = 'openid wow.profile'

/** RFC 6749 §2.3.1: the id and secret are form-encoded before they go into HTTP Basic. */
function basicAuth(id: string, secret: string): string {
  const encode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+')
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`
}

function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`
}

/**
 * The slice of Battle.net guild-api uses: the OAuth code flow, the user's characters, guild rosters, the realm index.
 */
export class BattleNetClient {
  readonly region: BnetRegion
  readonly #options: BattleNetClientOptions
  readonly #http: BnetHttp
  readonly #appToken: AppTokenProvider
  readonly #unknownGuilds: UnknownGuilds

  constructor(options: BattleNetClientOptions) {
    this.#options = options
    this.region = options.region
    this.#http = new BnetHttp({
      timeoutMs: options.timeoutMs,
      maxRetries: options.maxRetries,
      backoffMs: options.backoffMs,
      quota: options.quota,
      ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
      ...(options.log === undefined ? {} : { log: options.log }),
    })
    this.#unknownGuilds = new UnknownGuilds(options.cache)
    this.#appToken = new AppTokenProvider(options.cache, appTokenKey(options.oauthUrl, options.clientId ?? ''), () =>
      this.#clientCredentials(),
    )
  }

  get configured(): boolean {
    return this.#options.clientId !== undefined && this.#options.clientSecret !== undefined
  }

  /** Where /auth/login sends the browser. */
  authorizeUrl(state: string, loginHint?: string): string {
    const { clientId } = this.#credentials()
    const url = new URL(joinUrl(this.#options.oauthUrl, '/authorize'))
    url.searchParams.set('response_type', 'code')
    url.searchParams.set('client_id', clientId)
    url.searchParams.set('redirect_uri', this.#options.redirectUri)
    url.searchParams.set('scope', SCOPE)
    url.searchParams.set('state', state)
    if (loginHint !== undefined) url.searchParams.set('login_hint', loginHint)
    return url.toString()
  }

  /** Redeems an authorization code for the user's access token. */
  async exchangeCode(code: string): Promise<string> {
    const res = await this.#token(
      { grant_type: 'authorization_code', code, redirect_uri: this.#options.redirectUri },
      'unsent',
    )
    return res.accessToken
  }

  async userInfo(accessToken: string): Promise<BnetUser> {
    const label = 'GET /userinfo'
    const res = await this.#http.send({
      method: 'GET',
      url: joinUrl(this.#options.oauthUrl, '/userinfo'),
      headers: { authorization: `Bearer ${accessToken}` },
      label,
      retry: 'all',
    })
    return readUser(expectOk(res, label), label)
  }

  /** The user's WoW characters; none when Battle.net knows no WoW account for them (it answers 404). */
  async characters(accessToken: string): Promise<BnetCharacter[]> {
    const label = 'GET /profile/user/wow'
    const url = new URL(joinUrl(apiBaseUrl(this.#options.apiUrl, this.region), '/profile/user/wow'))
    url.searchParams.set('namespace', `profile-${this.region}`)
    url.searchParams.set('locale', 'en_US')
    const res = await this.#http.send({
      method: 'GET',
      url: url.toString(),
      headers: { authorization: `Bearer ${accessToken}` },
      label,
      retry: 'all',
    })
    if (res.status === 404) return []
    return readCharacters(expectOk(res, label), label)
  }

  /**
   * A guild's roster, with the application's own token. A 404 is remembered for a minute (every
   * instance), so asking again for the same unknown guild costs no call.
   */
  async guildRoster(
    region: BnetRegion,
    realmSlug: string,
    nameSlug: string,
    options: RosterOptions = {},
  ): Promise<BnetRoster> {
    const { priority = 'interactive', notFoundMemory = true } = options
    const notFound = () =>
      new BattleNetNotFoundError(`Battle.net knows no guild "${nameSlug}" on realm "${realmSlug}" (${region})`)
    if (notFoundMemory && (await this.#unknownGuilds.has(region, realmSlug, nameSlug))) throw notFound()
    const path = `/data/wow/guild/${encodeURIComponent(realmSlug)}/${encodeURIComponent(nameSlug)}/roster`
    const label = `GET ${path}`
    const url = new URL(joinUrl(apiBaseUrl(this.#options.apiUrl, region), path))
    url.searchParams.set('namespace', `profile-${region}`)
    url.searchParams.set('locale', 'en_US')
    const res = await this.#withAppToken(url, label, priority)
    if (res.status === 404) {
      if (notFoundMemory) await this.#unknownGuilds.remember(region, realmSlug, nameSlug)
      throw notFound()
    }
    return readRoster(expectOk(res, label), label)
  }

  /** Every realm of a region (`dynamic-{region}` namespace), with the application's own token. */
  async realmIndex(region: BnetRegion): Promise<BnetRealm[]> {
    const label = 'GET /data/wow/realm/index'
    const url = new URL(joinUrl(apiBaseUrl(this.#options.apiUrl, region), '/data/wow/realm/index'))
    url.searchParams.set('namespace', `dynamic-${region}`)
    url.searchParams.set('locale', 'en_US')
    return readRealmIndex(expectOk(await this.#withAppToken(url, label), label), label)
  }

  /**
   * A GET with the application's token. A 401 means our cached token was revoked or the secret rotated: drop it and try
   * once with a new one.
   */
  async #withAppToken(url: URL, label: string, priority: BnetPriority = 'interactive'): Promise<BnetResponse> {
    this.#credentials()
    let res: BnetResponse | undefined
    for (let attempt = 0; attempt < 2; attempt++) {
      const token = await this.#appToken.get()
      res = await this.#http.send({
        method: 'GET',
        url: url.toString(),
        headers: { authorization: `Bearer ${token}` },
        label,
        retry: 'all',
        priority,
      })
      if (res.status !== 401) break
      await this.#appToken.drop()
    }
    return res as BnetResponse
  }

  async close(): Promise<void> {
    await this.#http.close()
  }

  #credentials(): { clientId: string; clientSecret: string } {
    const { clientId, clientSecret } = this.#options
    if (clientId === undefined || clientSecret === undefined) throw new BattleNetNotConfiguredError()
    return { clientId, clientSecret }
  }

  async #clientCredentials(): Promise<BnetTokenAnswer> {
    return await this.#token({ grant_type: 'client_credentials' }, 'all')
  }

  async #token(fields: Record<string, string>, retry: 'all' | 'unsent'): Promise<BnetTokenAnswer> {
    const { clientId, clientSecret } = this.#credentials()
    const label = `POST /token (${fields.grant_type})`
    const res = await this.#http.send({
      method: 'POST',
      url: joinUrl(this.#options.oauthUrl, '/token'),
      headers: {
        authorization: basicAuth(clientId, clientSecret),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams(fields).toString(),
      label,
      retry,
    })
    const error = (res.json as { error?: unknown } | undefined)?.error
    if (res.status === 400 && error === 'invalid_grant') {
      throw new BattleNetGrantError('the authorization code is unknown, expired or already used: log in again')
    }
    if (res.status === 401 || error === 'invalid_client') {
      throw new BattleNetBadAnswerError(
        `Battle.net refused our client credentials at ${label}: check BNET_CLIENT_ID and BNET_CLIENT_SECRET`,
      )
    }
    return readToken(expectOk(res, label), label)
  }
}

function expectOk(res: BnetResponse, label: string): unknown {
  if (res.status !== 200) throw new BattleNetBadAnswerError(`Battle.net answered ${res.status} to ${label}`)
  if (res.json === undefined) throw new BattleNetBadAnswerError(`Battle.net's answer to ${label} is not JSON`)
  return res.json
}
