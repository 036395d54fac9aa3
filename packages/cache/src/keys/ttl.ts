import { CacheInputError } from '../errors.js'

/** The seed's TTL table, in seconds; the contract fixes the same figures for its keys. */
export const TTL = {
  permission: 300,
  members: 300,
  profile: 600,
  settings: 600,
  session: 600,
  temporary: 60,
} as const

export const DEFAULT_TTL = 300
/** The contract: no key the project writes lives longer than a day. */
export const MAX_TTL = 86_400

/** Guarantee 1: nothing is stored without a TTL, and no TTL is silently rounded or clamped. */
export function assertTtl(ttl: unknown): asserts ttl is number {
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL) {
    throw new CacheInputError(`ttl must be a whole number of seconds from 1 to ${MAX_TTL}, got ${String(ttl)}`)
  }
}
