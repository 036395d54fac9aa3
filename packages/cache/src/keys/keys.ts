import { createHash } from 'node:crypto'
import { ID_PATTERN, ID_RULE, isValidId, isValidTool, TOOL_PATTERN } from '@guild/contract'
import { CacheInputError } from '../errors.js'

/*
 * Every key the project writes is built here, so no caller types one by hand. The data keys are the
 * contract's exactly; everything the layer keeps for itself (indexes, leases) starts with `cache:`.
 */

function id(value: unknown, name: string): number {
  if (!isValidId(value)) throw new CacheInputError(`${name} must be ${ID_RULE}, got ${String(value)}`)
  return value
}

function tool(value: unknown): string {
  if (!isValidTool(value)) throw new CacheInputError(`tool must match ${TOOL_PATTERN.source}, got ${JSON.stringify(value)}`)
  return value
}

export const keys = {
  permission: (guildId: number, bnetId: number, toolName: string) =>
    `permission:${id(guildId, 'guildId')}:${id(bnetId, 'bnetId')}:${tool(toolName)}`,
  guildMembers: (guildId: number) => `guild:${id(guildId, 'guildId')}:members`,
  guildSettings: (guildId: number) => `guild:${id(guildId, 'guildId')}:settings`,
  userProfile: (bnetId: number) => `user:profile:${id(bnetId, 'bnetId')}`,
  /** `sessionId` is the SHA-256 hex of the token (see `sessionIdOf`), never the token itself. */
  userSession: (sessionId: string) => {
    if (typeof sessionId !== 'string' || !/^[0-9a-f]{64}$/.test(sessionId)) {
      throw new CacheInputError('sessionId must be the SHA-256 hex of the session token (64 lowercase hex digits)')
    }
    return `user:session:${sessionId}`
  },
} as const

/** The contract's `session_id`: SHA-256 hex of the session token. */
export function sessionIdOf(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

/** Patterns for the seed's `cache_delete_pattern`; ids are validated, so nothing in them needs escaping. */
export const patterns = {
  guildPermissions: (guildId: number) => `permission:${id(guildId, 'guildId')}:*`,
  guildEntries: (guildId: number) => `guild:${id(guildId, 'guildId')}:*`,
  userPermissions: (bnetId: number) => `permission:*:${id(bnetId, 'bnetId')}:*`,
} as const

/** Glob-escapes text for a Redis MATCH pattern: `*`, `?`, `[`, `]` and `\` lose their meaning. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&')
}

const MAX_KEY_LENGTH = 1024

/**
 * Keys are printable, without spaces, and without `{` or `}`: a brace would make Redis Cluster hash only
 * part of the key, and the write guard needs a key and its lease (`cache:lease:{key}`) in one slot.
 */
export function assertKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new CacheInputError(`key must be a non-empty string of at most ${MAX_KEY_LENGTH} characters`)
  }
  if (/[\s{}\u0000-\u001f\u007f]/.test(key)) {
    throw new CacheInputError(`key ${JSON.stringify(key)} contains whitespace, a control character or a brace`)
  }
}

/** The internal keys. Hash tags keep each in the slot its script needs. */
export const internalKeys = {
  /** Same slot as `key`: Redis Cluster hashes only what is inside the braces. */
  lease: (key: string) => `cache:lease:{${key}}`,
  guildIndex: (guildId: number) => `cache:idx:guild:{${guildId}}`,
  userIndex: (bnetId: number) => `cache:idx:user:{${bnetId}}`,
} as const

/** The key a lease (`cache:lease:{KEY}`) guards. */
export function leasedKey(lease: string): string {
  return lease.slice('cache:lease:{'.length, -1)
}

/**
 * What a scan visits to find every entry of a guild or a user whatever its index says: a MATCH glob
 * (ids are validated integers, nothing to escape) and the exact test of belonging. A guild's entries are
 * `permission:G:…` and `guild:G:…`; a user's, `permission:…:B:…` and `user:profile:B` (removed by name).
 * A session's key does not name its owner: sessions are found through the user's index only.
 */
export interface ScopeSweep {
  glob: string
  belongs: (key: string) => boolean
}

export function scopeSweep(scope: 'guild' | 'user', scopeId: number): ScopeSweep {
  const n = id(scopeId, scope === 'guild' ? 'guildId' : 'bnetId')
  if (scope === 'guild') return { glob: `*:${n}:*`, belongs: (key) => !key.startsWith('cache:') && scopesOfKey(key).guild === n }
  return { glob: `permission:*:${n}:*`, belongs: (key) => scopesOfKey(key).user === n }
}

/** Which invalidation scopes an entry belongs to, read off its key (and the owner a session entry was given). */
export interface KeyScopes {
  guild?: number
  user?: number
}


function intOf(segment: string | undefined): number | undefined {
  if (segment === undefined || !ID_PATTERN.test(segment)) return undefined
  const n = Number(segment)
  return Number.isSafeInteger(n) ? n : undefined
}

export function scopesOfKey(key: string, owner?: number): KeyScopes {
  const parts = key.split(':')
  const scopes: KeyScopes = {}
  if (parts[0] === 'permission') {
    const g = intOf(parts[1])
    const u = intOf(parts[2])
    if (g !== undefined) scopes.guild = g
    if (u !== undefined) scopes.user = u
  } else if (parts[0] === 'guild') {
    const g = intOf(parts[1])
    if (g !== undefined) scopes.guild = g
  } else if (parts[0] === 'user' && parts[1] === 'profile') {
    const u = intOf(parts[2])
    if (u !== undefined) scopes.user = u
  }
  if (owner !== undefined) scopes.user ??= id(owner, 'options.user')
  return scopes
}

/** The metrics label for a key: its first segment, when it looks like a namespace. Bounded: anything odd is `other`. */
export function namespaceOf(key: string): string {
  const colon = key.indexOf(':')
  const first = colon < 0 ? key : key.slice(0, colon)
  return /^[a-z][a-z0-9_-]{0,31}$/.test(first) ? first : 'other'
}
