import { createHash } from 'node:crypto'
import { CacheInputError } from '../errors.js'

/**
 * JSON for Redis, or a CacheInputError: a value JSON cannot represent (undefined, a function, a symbol,
 * BigInt, a cycle) must never be stored as something else, such as the string "undefined".
 */
export function toJson(value: unknown): string {
  let json: string | undefined
  try {
    json = JSON.stringify(value)
  } catch (err) {
    throw new CacheInputError(`value cannot be stored as JSON: ${(err as Error).message}`)
  }
  if (json === undefined) throw new CacheInputError(`value cannot be stored as JSON: ${typeof value}`)
  return json
}

export function fromJson<T>(json: string): T {
  return JSON.parse(json) as T
}

/** Arguments that read well inside a key as they are: ids, and simple words that start with a letter. */
const PLAIN_STRING = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/

/**
 * The key segment for a `cached` call's arguments. Integers and simple words join with `:`, so
 * `cached('user:profile', fn)(456789)` uses the contract's own `user:profile:456789`; anything else is a
 * SHA-256 of a canonical JSON (object keys sorted), prefixed `~` so it can never equal a plain segment.
 */
export function argsKeySegment(args: readonly unknown[]): string {
  const plain = args.every(
    (a) => (typeof a === 'number' && Number.isSafeInteger(a)) || (typeof a === 'string' && PLAIN_STRING.test(a)),
  )
  if (plain && args.length > 0) return args.map(String).join(':')
  return '~' + createHash('sha256').update(canonicalJson(args)).digest('hex')
}

function canonicalJson(value: unknown): string {
  return toJson(sortKeys(value, new Set()))
}

function sortKeys(value: unknown, seen: Set<object>): unknown {
  if (value === null || typeof value !== 'object') return value
  if (seen.has(value)) throw new CacheInputError('cached: arguments contain a cycle')
  seen.add(value)
  try {
    if (Array.isArray(value)) return value.map((v) => sortKeys(v, seen))
    if (value instanceof Date) return value.toISOString()
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(value).sort()) out[k] = sortKeys((value as Record<string, unknown>)[k], seen)
    return out
  } finally {
    seen.delete(value)
  }
}
