import type { RedisClient } from '../../connection.js'
import { BATCH, mastersOf } from '../../redis-keys-ops.js'
import { idArgument } from '../args.js'
import type { CliContext } from '../context.js'
import { UsageError } from '../errors.js'
import { count } from '../output.js'

const USAGE = 'usage: guild-cache purge guild G | purge user B | purge pattern P [--yes]'

export async function purge(ctx: CliContext): Promise<void> {
  const [scope, arg, ...rest] = ctx.inv.args
  if (rest.length > 0 || arg === undefined) throw new UsageError(USAGE)
  if (scope === 'guild' || scope === 'user') return await purgeScope(ctx, scope, idArgument(arg, scope === 'guild' ? 'guild_id' : 'bnet_id'))
  if (scope === 'pattern') return await purgePattern(ctx, arg)
  throw new UsageError(USAGE)
}

/** Through invalidateGuild / invalidateUser: the index is read, leases go too, and every process hears it on the bus. */
async function purgeScope(ctx: CliContext, scope: 'guild' | 'user', id: number): Promise<void> {
  const cache = await ctx.cache()
  const removed = scope === 'guild' ? await cache.invalidateGuild(id) : await cache.invalidateUser(id)
  ctx.assertCacheClean(`purge ${scope} ${id}`)
  ctx.out.result({ scope, id, removed }, () => `purged ${scope} ${id}: ${count(removed)} entries removed; the services were told on the bus`)
}

/**
 * Without --yes, a dry run: SCAN counts what the pattern matches and nothing is deleted. With --yes,
 * the cache's deletePattern (SCAN + UNLINK in batches, leases too, the bus told). Both spare the layer's
 * own `cache:` keys, so the count is what would go.
 */
async function purgePattern(ctx: CliContext, pattern: string): Promise<void> {
  if (/[\u0000-\u001f\u007f]/.test(pattern)) throw new UsageError('purge pattern: the pattern must not contain control characters')
  const client = await ctx.admin()
  const matched = await countMatching(client, pattern)
  if (!ctx.inv.yes) {
    ctx.out.result({ pattern, matched, deleted: 0, dryRun: true }, () => `${count(matched)} keys match ${pattern} (a dry run: nothing deleted; add --yes to delete them)`)
    return
  }
  const cache = await ctx.cache()
  const bar = ctx.out.progress(`deleting ${pattern}`, matched)
  const deleted = await cache.deletePattern(pattern, { onProgress: (n) => bar.update(n) })
  bar.done()
  ctx.assertCacheClean(`purge pattern ${pattern}`)
  ctx.out.result({ pattern, matched, deleted, dryRun: false }, () => `deleted ${count(deleted)} keys matching ${pattern}; the services were told on the bus`)
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
