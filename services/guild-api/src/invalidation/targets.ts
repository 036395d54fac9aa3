import type { Cache } from '@guild/cache'
import type { CacheOutboxRow, NewCacheOutboxRow } from '@guild/db'

/** What a change makes stale: a guild's or a user's cached data, or one key. */
export type InvalidationTarget =
  { scope: 'guild'; id: number } | { scope: 'user'; id: number } | { scope: 'key'; key: string }

export const guildTarget = (id: number): InvalidationTarget => ({ scope: 'guild', id })
export const userTarget = (id: number): InvalidationTarget => ({ scope: 'user', id })
export const keyTarget = (key: string): InvalidationTarget => ({ scope: 'key', key })

export async function invalidate(cache: Cache, target: InvalidationTarget): Promise<void> {
  switch (target.scope) {
    case 'guild':
      await cache.invalidateGuild(target.id)
      return
    case 'user':
      await cache.invalidateUser(target.id)
      return
    case 'key':
      await cache.delete(target.key)
  }
}

export function toRow(target: InvalidationTarget): NewCacheOutboxRow {
  return target.scope === 'key'
    ? { scope: 'key', target: target.key }
    : { scope: target.scope, target: String(target.id) }
}

export function fromRow(row: Pick<CacheOutboxRow, 'scope' | 'target'>): InvalidationTarget {
  return row.scope === 'key' ? keyTarget(row.target) : { scope: row.scope, id: Number(row.target) }
}

/** A target as one string: equal targets, equal strings. */
export function targetId(target: InvalidationTarget): string {
  return target.scope === 'key' ? `key:${target.key}` : `${target.scope}:${target.id}`
}

/** The same target twice is one invalidation. */
export function distinct(targets: readonly InvalidationTarget[]): InvalidationTarget[] {
  return [...new Map(targets.map((t) => [targetId(t), t])).values()]
}
