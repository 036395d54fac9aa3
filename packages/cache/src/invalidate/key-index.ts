import type { CacheContext } from '../context.js'
import { scripted } from '../context.js'
import { tagIndex, tagsOfKey } from '../keys/keys.js'
import { MAX_TTL } from '../keys/ttl.js'

/** Members per index script call: unpack() in Lua stays far below its limit. */
const MEMBERS_PER_CALL = 250

/** What an entry is tagged with beyond its key builder's tags: its owner (`{ user }`) and the caller's tags. */
export interface EntryTags {
  user?: number | undefined
  tags?: readonly string[] | undefined
}

/**
 * Records entries in the index of every tag they carry (their builder's `guild:G` / `user:B`, their
 * owner's, the caller's) before a value or lease is written, so that an invalidation that starts later
 * finds them. Guarantee 3: invalidating a tag then reads its index, not the keyspace. Entries of one
 * index go in one script call, so a batch of a guild's answers costs a handful of calls, not two per entry.
 * `tagging` applies to every entry of the batch (validated by the caller). `ttlSeconds`: the longest the
 * entry or a copy of it may live (with a stale copy, TTL + grace), since a member leaves its index then.
 * `lateMs`: how long a reply that missed `deadline` is still waited for (RedisGate.run), for a reader about to lease.
 */
export async function registerInIndexes(
  ctx: CacheContext,
  entries: readonly string[],
  ttlSeconds: number,
  tagging: EntryTags | undefined,
  deadline: number,
  lateMs = 0,
): Promise<void> {
  const byIndex = new Map<string, string[]>()
  for (const key of entries) {
    for (const tag of tagsOfKey(key, tagging?.user, tagging?.tags)) add(byIndex, tagIndex(tag), key)
  }
  if (byIndex.size === 0) return
  // A member may hold a value for its TTL, plus a lease taken just before the value was written.
  const lifeMs = ttlSeconds * 1_000 + ctx.options.lockTtlMs
  await ctx.gate.run(
    'index',
    (c) => {
      const calls: Promise<number>[] = []
      for (const [index, members] of byIndex) {
        for (let i = 0; i < members.length; i += MEMBERS_PER_CALL) {
          calls.push(
            scripted(c).indexRegister(index, lifeMs, MAX_TTL * 1_000, ...members.slice(i, i + MEMBERS_PER_CALL)),
          )
        }
      }
      return Promise.all(calls)
    },
    deadline,
    lateMs,
  )
}

function add(map: Map<string, string[]>, index: string, key: string): void {
  const members = map.get(index)
  if (members) members.push(key)
  else map.set(index, [key])
}
