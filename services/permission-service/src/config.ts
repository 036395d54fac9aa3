import { configSchema, type SharedConfig } from '@guild/service-kit'

export interface PermissionServiceConfig extends SharedConfig {
  PERMISSION_L1_TTL_MS: number
  PERMISSION_L1_MAX: number
  PERMISSION_DB_TIMEOUT_MS: number
  PERMISSION_REFILL_MAX: number
  CACHE_BUS_CHANNEL: string
}

export const DEFAULT_PORT = 3001

/** The cache's lease lifetime (`lockTtlMs`, its default): given to the cache and to the checker's refills alike. */
export const LEASE_TTL_MS = 2_000

/** The contract's variables both services read, plus the knobs of the check's layers. */
export const schema = configSchema({
  defaultPort: DEFAULT_PORT,
  properties: {
    PERMISSION_L1_TTL_MS: {
      type: 'integer',
      minimum: 0,
      maximum: 60_000,
      default: 3_000,
      description: 'how long (ms) an answer stays in process memory; 0 turns the in-process tier off (0-60000)',
    },
    PERMISSION_L1_MAX: {
      type: 'integer',
      minimum: 1,
      maximum: 10_000_000,
      default: 100_000,
      description: 'the most answers kept in process memory (1-10000000)',
    },
    PERMISSION_REFILL_MAX: {
      type: 'integer',
      minimum: 0,
      maximum: 1_000,
      default: 1_000,
      description:
        'the most answers of a guild an invalidation removed that its next check fills back into Redis; ' +
        '0 turns refilling off (0-1000)',
    },
    CACHE_BUS_CHANNEL: {
      type: 'string',
      pattern: '^cache:[A-Za-z0-9:_.-]{1,200}$',
      default: 'cache:bus',
      description: 'the Redis pub/sub channel of the invalidation bus, shared with guild-api (cache:…)',
    },
    PERMISSION_DB_TIMEOUT_MS: {
      type: 'integer',
      minimum: 10,
      maximum: 30_000,
      default: 500,
      description: 'how long (ms) a permission query may take before the check is undecided (503) (10-30000)',
    },
  },
})
