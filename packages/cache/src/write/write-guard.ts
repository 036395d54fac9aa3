import { randomUUID } from 'node:crypto'
import { scripted, type CacheContext } from '../context.js'
import { internalKeys } from '../keys/keys.js'

/**
 * Guarantee 4, no lost invalidations, with leases (as Facebook's memcache): a reader that missed takes
 * a lease on the key *before* it reads the source; invalidation deletes the leases of what it removes;
 * the reader's value is stored only if its lease is still there (lua.ts `guardCommit`). So a value
 * computed from data read before an invalidation can never land after it. The lease is also the
 * cross-process load lock: while one process holds it, the others wait briefly for its value.
 *
 * The order that makes it hold: index entry (key-index.ts) → lease → read the source → guarded write.
 * An invalidation that scans the index after the entry was recorded deletes the lease; one that scanned
 * before it ran entirely before the lease, so the read sees the committed change.
 */
export type LeaseOutcome = { kind: 'acquired'; token: string } | { kind: 'filled'; raw: string } | { kind: 'held' }

/**
 * `lateMs`: a reply that misses `deadline` is still waited for that long (RedisGate.run). It says who
 * loads: given up on, this process would load beside the lease holder, a second query for one key.
 */
export async function acquireLease(
  ctx: CacheContext,
  key: string,
  mode: 'miss' | 'refresh',
  deadline: number,
  lateMs = 0,
): Promise<LeaseOutcome> {
  const token = randomUUID()
  const [state, raw] = await ctx.gate
    .run(
      'lease',
      (c) => scripted(c).guardAcquire(key, internalKeys.lease(key), token, ctx.options.lockTtlMs, mode),
      deadline,
      lateMs,
    )
    .catch((err: unknown) => giveBackAfterTimeout(ctx, [key], [token], err))
  if (state === 1 && typeof raw === 'string') return { kind: 'filled', raw }
  if (state === 2) return { kind: 'acquired', token }
  return { kind: 'held' }
}

/** The batch form: every lease in one Redis step (one deadline, one timer), outcomes in the order of `keys`. */
export async function acquireLeases(
  ctx: CacheContext,
  keys: readonly string[],
  deadline: number,
  lateMs = 0,
): Promise<LeaseOutcome[]> {
  const tokens = keys.map(() => randomUUID())
  const replies = await ctx.gate
    .run(
      'lease',
      (c) =>
        Promise.all(
          keys.map((key, i) =>
            scripted(c).guardAcquire(key, internalKeys.lease(key), tokens[i] as string, ctx.options.lockTtlMs, 'miss'),
          ),
        ),
      deadline,
      lateMs,
    )
    .catch((err: unknown) => giveBackAfterTimeout(ctx, keys, tokens, err))
  return replies.map(([state, raw], i): LeaseOutcome => {
    if (state === 1 && typeof raw === 'string') return { kind: 'filled', raw }
    if (state === 2) return { kind: 'acquired', token: tokens[i] as string }
    return { kind: 'held' }
  })
}

/**
 * A lease step that timed out may still have run in Redis: leases nobody will commit, which would make
 * every other reader of those keys wait for the lock for nothing until they expire (lockTtlMs). Given
 * back in the background (each release checks its token, so no one else's lease goes); the step still
 * fails with its own error.
 */
function giveBackAfterTimeout(
  ctx: CacheContext,
  keys: readonly string[],
  tokens: readonly string[],
  err: unknown,
): never {
  keys.forEach((key, i) => void releaseLease(ctx, key, tokens[i] as string))
  throw err
}

/**
 * One value to store under its lease: `ttl` its entry's life (s), `grace` how long its stale copy outlives it (s, 0:
 * none).
 */
export interface GuardedWrite {
  key: string
  token: string
  json: string
  ttl: number
  grace: number
}

/**
 * Stores each value only while its lease stands, with its stale copy (`cache:stale:{KEY}`, TTL + grace)
 * in the same script, or that copy removed when it has no grace (lua.ts `commitLease`). One Redis step;
 * resolves how many were stored, and counts the refused ones.
 */
export async function commitUnderLeases(ctx: CacheContext, writes: readonly GuardedWrite[]): Promise<number> {
  if (writes.length === 0) return 0
  const stored = await ctx.gate.run('commit', (c) =>
    Promise.all(
      writes.map((w) =>
        scripted(c).guardCommit(
          w.key,
          internalKeys.lease(w.key),
          internalKeys.stale(w.key),
          w.token,
          w.json,
          w.ttl,
          w.grace > 0 ? w.ttl + w.grace : 0,
        ),
      ),
    ),
  )
  const refused = stored.filter((s) => s !== 1).length
  if (refused > 0) {
    ctx.metrics.event('stale_write_refused', refused)
    ctx.options.logger.debug({ refused }, 'cache write refused: an invalidation ran while the value was computed')
  }
  return stored.length - refused
}

/**
 * `set` without a token: stores `json`, deletes the key's lease and any stale copy in one step (lua.ts
 * `writeOverLease`).
 */
export async function writeOverLease(
  ctx: CacheContext,
  key: string,
  json: string,
  ttlSeconds: number,
  deadline: number,
): Promise<void> {
  await ctx.gate.run(
    'set',
    (c) => scripted(c).guardWriteOver(key, internalKeys.lease(key), internalKeys.stale(key), json, ttlSeconds),
    deadline,
  )
}

/**
 * The token of a read-compute-set: the key's lease (taken now, or a loader's already there). Taken before
 * the caller reads its source, as a reader's lease is: an invalidation or write after it deletes it, and
 * the guarded write then finds it gone.
 */
export async function takeWriteToken(ctx: CacheContext, key: string, deadline: number): Promise<string> {
  const token = randomUUID()
  return await ctx.gate.run(
    'lease',
    (c) => scripted(c).guardToken(internalKeys.lease(key), token, ctx.options.lockTtlMs),
    deadline,
  )
}

/**
 * Gives a lease back early (the loader failed or found nothing) so waiting processes need not sit out
 * its TTL. Never rejects: a lease that cannot be given back expires by itself.
 */
export async function releaseLease(ctx: CacheContext, key: string, token: string): Promise<void> {
  await ctx.gate.run('release', (c) => scripted(c).guardRelease(internalKeys.lease(key), token)).catch(() => undefined)
}
