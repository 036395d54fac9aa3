import { createHmac } from 'node:crypto'
import { configSchema, type SharedConfig } from '@guild/service-kit'

export const DEFAULT_PORT = 3000
export const REGIONS = ['us', 'eu', 'kr', 'tw'] as const
export type BnetRegion = (typeof REGIONS)[number]

export interface GuildApiConfig extends SharedConfig {
  PERMISSION_SERVICE_URL: string
  PERMISSION_DEADLINE_MS: number
  PUBLIC_URL: string
  CORS_ORIGINS?: string
  BNET_REGION: BnetRegion
  BNET_CLIENT_ID?: string
  BNET_CLIENT_SECRET?: string
  BNET_OAUTH_URL: string
  BNET_API_URL: string
  BNET_TIMEOUT_MS: number
  BNET_MAX_RETRIES: number
  COOKIE_SECRET?: string
  SESSION_TTL_S: number
  SETTINGS_MAX_BYTES: number
  AUTH_RATE_LIMIT_MAX: number
  CACHE_BUS_CHANNEL: string
  CACHE_MEMORY_TTL_MS: number
  CACHE_OUTBOX_INTERVAL_MS: number
  TRUST_PROXY?: string
  ROSTER_SYNC_INTERVAL_S: number
  BNET_RATE_PER_S: number
  BNET_RATE_PER_HOUR: number
  BNET_RATE_INSTANCES: number
  GUILD_WRITE_RATE_LIMIT_MAX: number
}

/**
 * The largest request body any route takes (413 beyond). The largest legitimate one, a tool map of 200
 * tools, is under 10 KiB; `PUT /guilds/{id}/settings` sets its own from SETTINGS_MAX_BYTES.
 */
export const BODY_LIMIT_BYTES = 64 * 1024

const httpUrl = { type: 'string', pattern: '^https?://[^\\s]+$' } as const

/** The contract's variables plus guild-api's own knobs; each description is the hint a bad value prints. */
export const schema = configSchema({
  defaultPort: DEFAULT_PORT,
  properties: {
    PERMISSION_SERVICE_URL: {
      ...httpUrl,
      default: 'http://127.0.0.1:3001',
      description: 'an http(s) URL of permission-service',
    },
    PERMISSION_DEADLINE_MS: {
      type: 'integer',
      minimum: 10,
      maximum: 10_000,
      default: 250,
      description: 'how long (ms) a permission check may take before the request answers 503 (10-10000)',
    },
    PUBLIC_URL: {
      ...httpUrl,
      default: 'http://127.0.0.1:3000',
      description: "an http(s) URL: guild-api's external address",
    },
    CORS_ORIGINS: {
      type: 'string',
      pattern: '^https?://[^\\s,/]+(,\\s*https?://[^\\s,/]+)*$',
      description: 'origins such as https://app.example.com, comma-separated, without paths',
    },
    BNET_REGION: { type: 'string', enum: [...REGIONS], default: 'us', description: 'us, eu, kr or tw' },
    BNET_CLIENT_ID: { type: 'string', minLength: 1, description: 'the Battle.net OAuth client id' },
    BNET_CLIENT_SECRET: { type: 'string', minLength: 1, description: 'the Battle.net OAuth client secret' },
    BNET_OAUTH_URL: { ...httpUrl, default: 'https://oauth.battle.net', description: 'an http(s) URL' },
    BNET_API_URL: {
      ...httpUrl,
      default: 'https://{region}.api.blizzard.com',
      description: 'an http(s) URL; {region} is replaced by the region asked for',
    },
    BNET_TIMEOUT_MS: {
      type: 'integer',
      minimum: 100,
      maximum: 60_000,
      default: 5_000,
      description: 'how long (ms) one Battle.net request may take (100-60000)',
    },
    BNET_MAX_RETRIES: {
      type: 'integer',
      minimum: 0,
      maximum: 5,
      default: 2,
      description: 'retries of a Battle.net request answered 429 or 5xx, or not answered (0-5)',
    },
    COOKIE_SECRET: { type: 'string', minLength: 32, description: 'a secret of at least 32 characters' },
    SESSION_TTL_S: {
      type: 'integer',
      minimum: 60,
      maximum: 90 * 86_400,
      default: 7 * 86_400,
      description: 'how long (s) a session lasts (60-7776000)',
    },
    SETTINGS_MAX_BYTES: {
      type: 'integer',
      minimum: 2,
      maximum: 1_048_576,
      default: 16_384,
      description: 'the largest guild settings object, in bytes of JSON (2-1048576)',
    },
    AUTH_RATE_LIMIT_MAX: {
      type: 'integer',
      minimum: 1,
      maximum: 1_000_000,
      default: 30,
      description: 'requests a client IP may make to /auth/* per minute (1-1000000)',
    },
    CACHE_MEMORY_TTL_MS: {
      type: 'integer',
      minimum: 0,
      maximum: 60_000,
      default: 2_000,
      description:
        'how long (ms) this process answers a cached read from memory before asking Redis; 0 turns it off (0-60000)',
    },
    CACHE_OUTBOX_INTERVAL_MS: {
      type: 'integer',
      minimum: 100,
      maximum: 60_000,
      default: 1_000,
      description: 'how often (ms) this process delivers invalidations other processes left in the outbox (100-60000)',
    },
    // Checked in full by trustProxyOption (src/trust-proxy.ts) before the app is made.
    TRUST_PROXY: {
      type: 'string',
      description: 'a hop count, or addresses and CIDRs of your proxies, comma-separated',
    },
    ROSTER_SYNC_INTERVAL_S: {
      type: 'integer',
      minimum: 10,
      maximum: 86_400,
      default: 3_600,
      description: "how often (s) every registered guild's roster is synced from Battle.net (10-86400)",
    },
    BNET_RATE_PER_S: {
      type: 'integer',
      minimum: 2,
      maximum: 100_000,
      default: 100,
      description: 'Battle.net calls a second, all instances together (2-100000)',
    },
    BNET_RATE_PER_HOUR: {
      type: 'integer',
      minimum: 2,
      maximum: 100_000_000,
      default: 36_000,
      description: 'Battle.net calls an hour, all instances together (2-100000000)',
    },
    BNET_RATE_INSTANCES: {
      type: 'integer',
      minimum: 1,
      maximum: 1_000,
      default: 2,
      description:
        'how many guild-api instances split the Battle.net quota when Redis cannot count it: ' +
        'each keeps to 1/N (1-1000)',
    },
    GUILD_WRITE_RATE_LIMIT_MAX: {
      type: 'integer',
      minimum: 1,
      maximum: 1_000_000,
      default: 10,
      description: 'POST /guilds and POST /guilds/{id}/sync requests a user may make per minute (1-1000000)',
    },
    CACHE_BUS_CHANNEL: {
      type: 'string',
      pattern: '^cache:[A-Za-z0-9:_.-]{1,200}$',
      default: 'cache:bus',
      description: 'the Redis pub/sub channel of the invalidation bus, shared with permission-service (cache:…)',
    },
  },
})

/** CORS_ORIGINS as a list of origins (scheme://host[:port], no trailing slash). */
export function corsOrigins(config: Pick<GuildApiConfig, 'CORS_ORIGINS'>): string[] {
  if (config.CORS_ORIGINS === undefined) return []
  return config.CORS_ORIGINS.split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '')
    .map((origin) => new URL(origin).origin)
}

/**
 * COOKIE_SECRET, or one derived from the service token: every instance of a deployment shares the
 * token, so they all derive the same secret and accept each other's signed cookies without a new variable.
 */
export function cookieSecret(config: Pick<GuildApiConfig, 'COOKIE_SECRET'>, serviceToken: string): string {
  if (config.COOKIE_SECRET !== undefined) return config.COOKIE_SECRET
  return createHmac('sha256', serviceToken).update('guild-api cookie secret v1').digest('base64url')
}

/** The API base URL for a region: `{region}` in BNET_API_URL is replaced; a URL without it is used as is. */
export function apiBaseUrl(template: string, region: BnetRegion): string {
  return template.replace(/\{region\}/g, region).replace(/\/+$/, '')
}
