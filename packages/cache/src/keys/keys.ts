import { createHash } from 'node:crypto'
import { ID_PATTERN, ID_RULE, isValidId, isValidTool, TOOL_PATTERN } from '@guild/contract'
import { CacheInputError } from '../errors.js'

const SESSION_PREFIX = 'user:session:'

/*
 * Every key the project writes is built here, so no caller types one by hand. The data keys are the
 * contract's exactly; everything the layer keeps for itself (indexes, leases) starts with `cache:`.
 */

function id(value: unknown, name: string): number {
  if (!isValidId(value)) throw new CacheInputError(`${name} must be ${ID_RULE}, got ${String(value)}`)
  return value
}

function tool(value: unknown): string {
  if (!isValidTool(value))
    throw new CacheInputError(`tool must match ${TOOL_PATTERN.source}, got ${JSON.stringify(value)}`)
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
    return `${SESSION_PREFIX}${sessionId}`
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
  /** The grace copy of `key` (its last value, kept `grace` seconds past its TTL); same slot as `key`. */
  stale: (key: string) => `cache:stale:{${key}}`,
  guildIndex: (guildId: number) => `cache:idx:guild:{${guildId}}`,
  userIndex: (bnetId: number) => `cache:idx:user:{${bnetId}}`,
} as const

/** The key a lease (`cache:lease:{KEY}`) guards. */
export function leasedKey(lease: string): string {
  return lease.slice('cache:lease:{'.length, -1)
}

/** The key a stale copy (`cache:stale:{KEY}`) copies. */
export function staleOf(stale: string): string {
  return stale.slice('cache:stale:{'.length, -1)
}

/**
 * Tags: the names an entry is invalidated by (`invalidateTags`). The key builders above attach the
 * contract's scopes: a permission entry is tagged `guild:G` and `user:B`, `guild:G:…` entries `guild:G`,
 * a profile `user:B` (`tagsOfKey`); callers add their own (`{ tags }`, `{ user }`). A tag is
 * `namespace:value`: the namespace `^[a-z][a-z0-9_-]{0,31}$`, the value 1 to 128 of `A-Z a-z 0-9 _ . : -`.
 * So no tag holds a glob character, whitespace or a brace (a tag is a Cluster hash tag in its index's
 * name). `guild:` and `user:` tags must name a valid id: they are the contract's scopes.
 */
export const TAG_RULE =
  'namespace:value, namespace matching ^[a-z][a-z0-9_-]{0,31}$ and value 1 to 128 of A-Z a-z 0-9 _ . : -'
const TAG = /^[a-z][a-z0-9_-]{0,31}:[A-Za-z0-9_.:-]{1,128}$/
/** Tags one entry may carry, or one invalidation may name. */
export const MAX_TAGS = 32

/** Validates a caller's tags; the error names the first bad one and the rule. */
export function assertTags(tags: unknown, where: string): asserts tags is readonly string[] {
  if (!Array.isArray(tags)) throw new CacheInputError(`${where}: tags must be an array of strings`)
  if (tags.length > MAX_TAGS) throw new CacheInputError(`${where}: at most ${MAX_TAGS} tags, got ${tags.length}`)
  for (const tag of tags) {
    if (typeof tag !== 'string' || !TAG.test(tag))
      throw new CacheInputError(`${where}: tag ${JSON.stringify(tag)} must be ${TAG_RULE}`)
    const scoped = /^(guild|user):(.*)$/.exec(tag)
    if (scoped && intOf(scoped[2]) === undefined)
      throw new CacheInputError(`${where}: tag ${JSON.stringify(tag)} must name ${ID_RULE} after "${scoped[1]}:"`)
  }
}

export const tags = {
  guild: (guildId: number) => `guild:${id(guildId, 'guildId')}`,
  user: (bnetId: number) => `user:${id(bnetId, 'bnetId')}`,
} as const

/**
 * The index of a tag. The contract's scopes keep the contract's names (`cache:idx:guild:{G}`,
 * `cache:idx:user:{B}`); any other tag's is `cache:idx:tag:{TAG}`, one key (one Cluster slot) each.
 */
export function tagIndex(tag: string): string {
  const scoped = /^(guild|user):([0-9]+)$/.exec(tag)
  if (scoped)
    return scoped[1] === 'guild'
      ? internalKeys.guildIndex(Number(scoped[2]))
      : internalKeys.userIndex(Number(scoped[2]))
  return `cache:idx:tag:{${tag}}`
}

/** The guild or user a contract-scope tag names, if it is one. */
export function scopeOfTag(tag: string): { scope: 'guild' | 'user'; id: number } | undefined {
  const scoped = /^(guild|user):(.*)$/.exec(tag)
  const n = scoped ? intOf(scoped[2]) : undefined
  return scoped && n !== undefined ? { scope: scoped[1] as 'guild' | 'user', id: n } : undefined
}

/**
 * What a scan visits to find every entry carrying a tag whatever its index says: a MATCH glob (text
 * from a tag goes through escapeGlob) and the exact test of belonging. A guild's entries are
 * `permission:G:…` and `guild:G:…` (one `*:G:*` walk); a user's, `permission:…:B:…` and
 * `user:profile:B` (removed by name). A session's key does not name its owner: sessions are found
 * through the user's index only. Any other tag is named by no key: its scan is every entry of the cache.
 */
export interface ScopeSweep {
  glob: string
  belongs: (key: string) => boolean
}

export function tagSweep(tag: string): ScopeSweep {
  const scoped = scopeOfTag(tag)
  // Sessions are not cache entries a flush may take: logging everyone out is not an invalidation.
  // They carry only their user's tag (tagsOfKey refuses others), so no generic tag needs them.
  if (scoped === undefined)
    return { glob: '*', belongs: (key) => !key.startsWith('cache:') && !key.startsWith(SESSION_PREFIX) }
  const n = escapeGlob(String(scoped.id))
  if (scoped.scope === 'guild')
    return { glob: `*:${n}:*`, belongs: (key) => !key.startsWith('cache:') && tagsOfKey(key).includes(tag) }
  return { glob: `permission:*:${n}:*`, belongs: (key) => tagsOfKey(key).includes(tag) }
}

/** Entries of a tag known by name without any index (a guild's members and settings, a user's profile). */
export function namedByTag(tag: string): string[] {
  const scoped = scopeOfTag(tag)
  if (scoped === undefined) return []
  return scoped.scope === 'guild'
    ? [keys.guildMembers(scoped.id), keys.guildSettings(scoped.id)]
    : [keys.userProfile(scoped.id)]
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

/**
 * The tags the key builders attach to a key of their shape: one table, beside the builders, so a key
 * typed by hand in a contract shape (an operator's, another process's) carries the same tags.
 */
const BUILT_TAGS: readonly { shape: RegExp; tags: (m: RegExpExecArray) => KeyScopes }[] = [
  { shape: /^permission:([^:]*)(?::([^:]*))?/, tags: (m) => ({ guild: intOf(m[1]), user: intOf(m[2]) }) },
  { shape: /^guild:([^:]*)/, tags: (m) => ({ guild: intOf(m[1]) }) },
  { shape: /^user:profile:([^:]*)/, tags: (m) => ({ user: intOf(m[1]) }) },
]

export function scopesOfKey(key: string, owner?: number): KeyScopes {
  const scopes: KeyScopes = {}
  for (const { shape, tags: of } of BUILT_TAGS) {
    const m = shape.exec(key)
    if (!m) continue
    const found = of(m)
    if (found.guild !== undefined) scopes.guild = found.guild
    if (found.user !== undefined) scopes.user = found.user
    break
  }
  if (owner !== undefined) scopes.user ??= id(owner, 'options.user')
  return scopes
}

/** A key's tags: those its builder attaches, its owner's (`{ user }`), and the caller's own. */
export function tagsOfKey(key: string, owner?: number, extra: readonly string[] = []): string[] {
  const scopes = scopesOfKey(key, owner)
  if (extra.length > 0 && key.startsWith(SESSION_PREFIX) && extra.some((tag) => scopeOfTag(tag) === undefined)) {
    // A generic tag's eviction fallback sweeps entries but never sessions (tagSweep), so it could miss one.
    throw new CacheInputError(
      `a session (${SESSION_PREFIX}…) takes no tags but guild:G and user:B, got ${extra.join(', ')}`,
    )
  }
  const out = new Set<string>()
  if (scopes.guild !== undefined) out.add(`guild:${scopes.guild}`)
  if (scopes.user !== undefined) out.add(`user:${scopes.user}`)
  for (const tag of extra) out.add(tag)
  return [...out]
}

/** The metrics label for a key: its first segment, when it looks like a namespace. Bounded: anything odd is `other`. */
export function namespaceOf(key: string): string {
  const colon = key.indexOf(':')
  const first = colon < 0 ? key : key.slice(0, colon)
  return /^[a-z][a-z0-9_-]{0,31}$/.test(first) ? first : 'other'
}
