import type { CacheContext } from '../context.js'
import { internalKeys } from '../keys/keys.js'
import { graceScripted } from './grace-scripts.js'

/** One value to store under its lease: `ttl` its entry's life (s), `grace` how long its stale copy outlives it (s). */
export interface GuardedWrite {
  key: string
  token: string
  json: string
  ttl: number
  grace: number
}

/**
 * The commit step: each value stored only while its lease stands (guarantee 4), with its stale copy in
 * the same script. Resolves how many were stored; the refused ones are counted.
 */
export async function commitUnderLeases(ctx: CacheContext, writes: readonly GuardedWrite[], deadline?: number): Promise<number> {
  if (writes.length === 0) return 0
  const stored = await ctx.gate.run(
    'commit',
    (c) =>
      Promise.all(
        writes.map((w) =>
          graceScripted(c).graceCommit(w.key, internalKeys.lease(w.key), internalKeys.stale(w.key), w.token, w.json, w.ttl, w.grace > 0 ? w.ttl + w.grace : 0),
        ),
      ),
    deadline,
  )
  const refused = stored.filter((s) => s !== 1).length
  if (refused > 0) {
    ctx.metrics.event('stale_write_refused', refused)
    ctx.options.logger.debug({ refused }, 'cache write refused: an invalidation ran while the value was computed')
  }
  return stored.length - refused
}

/** `set` without a token: the value lands, its lease and any older stale copy go, in one step. */
export async function writeOver(ctx: CacheContext, key: string, json: string, ttl: number, deadline: number): Promise<void> {
  await ctx.gate.run('set', (c) => graceScripted(c).graceWriteOver(key, internalKeys.lease(key), internalKeys.stale(key), json, ttl), deadline)
}
