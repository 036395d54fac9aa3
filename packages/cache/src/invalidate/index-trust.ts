import type { CacheContext } from '../context.js'
import { scripted } from '../context.js'
import type { RedisClient } from '../redis/connection.js'
import { mastersOf } from './redis-keys-ops.js'

/**
 * Whether an index can vouch that it lists every live entry of its guild or user (guarantee 3 under
 * memory pressure). The shipped Redis evicts with `allkeys-lru`, and an index is touched only on misses,
 * so LRU takes it before the hot entries it lists; the next miss makes a new one that knows nothing of
 * them. Every entry registered since an index's `{born}` is in it; one registered before may be listed
 * nowhere. The index vouches when nothing can have been lost:
 *
 * - no key was ever evicted on any master (`INFO stats` `evicted_keys`; the shipped Redis keeps nothing
 *   across a restart, so a restarted one starts empty), or
 * - a sweep (a scan of the scope's keys) removed everything there was at least `settleMs` after the index
 *   was born: what was registered in an older incarnation had been written by then, so the sweep found it.
 *
 * Otherwise the invalidation scans (invalidator.ts). A missing index is trusted only in the first case.
 */
export interface IndexState {
  /** The `{born}` score as Redis stores it (minus the time), or null: no index, or one that predates the marker. */
  born: string | null
  /** No key was ever evicted on any master. */
  evictionFree: boolean
  /** A sweep removed everything at least settleMs after this incarnation was born. */
  swept: boolean
  /** Redis' clock (ms) when the state was read. */
  nowMs: number
}

/**
 * How long after an entry is registered its write can still land: the lease (or a plain SET) is sent
 * within the operation bound of the registration, and a guarded write lands while the lease lives. One
 * second more for the network.
 */
export function settleMs(ctx: CacheContext): number {
  return ctx.options.lockTtlMs + ctx.options.operationTimeoutMs + 1_000
}

export async function readIndexState(ctx: CacheContext, index: string): Promise<IndexState> {
  const [[born, swept, now], evicted] = await ctx.gate.run('invalidate', (c) =>
    Promise.all([scripted(c).indexMeta(index), evictedKeys(c)]),
  )
  return {
    born: born ?? null,
    nowMs: Number(now),
    evictionFree: evicted === 0,
    swept: sweptAfterSettling(born ?? null, swept ?? null, settleMs(ctx)),
  }
}

/**
 * Whether the walk that began when the index's `{born}` was `bornAtStart` found every entry: nothing was
 * ever evicted (an index that appeared meanwhile was made by a miss, not lost), or the index vouches and
 * is the same incarnation the walk began on (not evicted mid-walk).
 */
export function vouches(state: IndexState, bornAtStart: string | null): boolean {
  return state.evictionFree || (state.swept && state.born === bornAtStart)
}

/** Scores are minus the times they stand for. */
function sweptAfterSettling(born: string | null, swept: string | null, settle: number): boolean {
  if (born === null || swept === null) return false
  return Number(born) - Number(swept) >= settle
}

/** Whether a sweep that started at `startMs` can make the index vouch (see `sweptAfterSettling`). */
export function worthMarking(
  state: IndexState,
  startMs: number,
  settle: number,
): state is IndexState & { born: string } {
  return state.born !== null && startMs + Number(state.born) >= settle
}

/** Keys evicted since each master started, summed. */
async function evictedKeys(client: RedisClient): Promise<number> {
  const infos = await Promise.all(mastersOf(client).map((node) => node.info('stats')))
  let total = 0
  for (const info of infos) {
    const m = /^evicted_keys:(\d+)/m.exec(info)
    // A Redis that does not say is not known to be eviction-free.
    total += m ? Number(m[1]) : 1
  }
  return total
}
