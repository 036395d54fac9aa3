import type { RedisClient } from '@guild/cache/admin'
import { globToRegExp } from '@guild/cache'
import { internalKeys, keys, patterns } from '@guild/cache'
import { BATCH, mastersOf } from '@guild/cache/admin'
import { idArgument } from '../args.js'
import type { CliContext } from '../context.js'
import { UsageError } from '../errors.js'
import { count } from '../output.js'

const USAGE = 'usage: guild-cache purge guild G | purge user B | purge pattern P [--yes]'

export async function purge(ctx: CliContext): Promise<void> {
  const [scope, arg, ...rest] = ctx.inv.args
  if (rest.length > 0 || arg === undefined) throw new UsageError(USAGE)
  if (scope === 'guild' || scope === 'user')
    return await purgeScope(ctx, scope, idArgument(arg, scope === 'guild' ? 'guild_id' : 'bnet_id'))
  if (scope === 'pattern') return await purgePattern(ctx, arg)
  throw new UsageError(USAGE)
}

/**
 * Every entry of the guild or user, indexed or not (written before the indexes existed, or listed by an
 * index LRU evicted): SCAN of the contract's patterns (`permission:G:*` and `guild:G:*`; a user's
 * `permission:*:B:*` and profile) plus what the index lists beyond them (a user's sessions). Without
 * --yes, a dry run that counts them. With --yes, invalidateGuild / invalidateUser (the index, leases, the
 * bus) and deletePattern of each pattern (leases first, then SCAN + UNLINK, the bus): an operator's purge
 * is rare, so it always scans.
 */
async function purgeScope(ctx: CliContext, scope: 'guild' | 'user', id: number): Promise<void> {
  const globs =
    scope === 'guild' ? [patterns.guildPermissions(id), patterns.guildEntries(id)] : [patterns.userPermissions(id)]
  const client = await ctx.admin()
  let matched = 0
  for (const glob of globs) matched += await countMatching(client, glob)
  matched += await countIndexedBeyond(
    client,
    scope === 'guild' ? internalKeys.guildIndex(id) : internalKeys.userIndex(id),
    globs,
    scope === 'user' ? [keys.userProfile(id)] : [],
  )
  if (!ctx.inv.yes) {
    ctx.out.result(
      { scope, id, matched, removed: 0, dryRun: true },
      () => `${count(matched)} entries of ${scope} ${id} (a dry run: nothing removed; add --yes to remove them)`,
    )
    return
  }
  const cache = await ctx.cache()
  let removed = scope === 'guild' ? await cache.invalidateGuild(id) : await cache.invalidateUser(id)
  for (const glob of globs) removed += await cache.deletePattern(glob)
  ctx.assertCacheClean(`purge ${scope} ${id}`)
  ctx.out.result(
    { scope, id, matched, removed, dryRun: false },
    () => `purged ${scope} ${id}: ${count(removed)} entries removed; the services were told on the bus`,
  )
}

/** Entries that exist among `named` and the index's members, leaving out those the globs count already. */
async function countIndexedBeyond(
  client: RedisClient,
  index: string,
  globs: string[],
  named: string[],
): Promise<number> {
  const counted = globs.map(globToRegExp)
  const candidates = new Set(named)
  let cursor = '0'
  do {
    const [next, flat] = await client.zscan(index, cursor, 'COUNT', BATCH)
    cursor = next
    // Odd positions are scores; members in braces are the index's own marks, not entries.
    for (let i = 0; i < flat.length; i += 2) candidates.add(flat[i] as string)
  } while (cursor !== '0')
  const beyond = [...candidates].filter((key) => !key.startsWith('{') && !counted.some((re) => re.test(key)))
  const exists = await Promise.all(beyond.map((key) => client.exists(key)))
  return exists.reduce((sum: number, n) => sum + n, 0)
}

/**
 * Without --yes, a dry run: SCAN counts what the pattern matches and nothing is deleted. With --yes,
 * the cache's deletePattern (SCAN + UNLINK in batches, leases too, the bus told). Both spare the layer's
 * own `cache:` keys, so the count is what would go.
 */
async function purgePattern(ctx: CliContext, pattern: string): Promise<void> {
  if (/[\u0000-\u001f\u007f]/.test(pattern))
    throw new UsageError('purge pattern: the pattern must not contain control characters')
  const client = await ctx.admin()
  const matched = await countMatching(client, pattern)
  if (!ctx.inv.yes) {
    ctx.out.result(
      { pattern, matched, deleted: 0, dryRun: true },
      () => `${count(matched)} keys match ${pattern} (a dry run: nothing deleted; add --yes to delete them)`,
    )
    return
  }
  const cache = await ctx.cache()
  const bar = ctx.out.progress(`deleting ${pattern}`, matched)
  const deleted = await cache.deletePattern(pattern, { onProgress: (n) => bar.update(n) })
  bar.done()
  ctx.assertCacheClean(`purge pattern ${pattern}`)
  ctx.out.result(
    { pattern, matched, deleted, dryRun: false },
    () => `deleted ${count(deleted)} keys matching ${pattern}; the services were told on the bus`,
  )
}

/** SCAN MATCH on every master, leaving out `cache:` keys as deletePattern does. */
export async function countMatching(client: RedisClient, pattern: string): Promise<number> {
  let matched = 0
  for (const node of mastersOf(client)) {
    let cursor = '0'
    do {
      const [next, found] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', BATCH)
      cursor = next
      matched += found.filter((k) => !k.startsWith('cache:')).length
    } while (cursor !== '0')
  }
  return matched
}
