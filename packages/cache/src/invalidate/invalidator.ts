import { Cluster } from 'ioredis'
import type { CacheContext } from '../context.js'
import { CacheUnavailableError } from '../errors.js'
import type { InvalidationBus } from '../bus/invalidation-bus.js'
import { readIndexState, settleMs, vouches, worthMarking } from './index-trust.js'
import {
  internalKeys,
  leasedKey,
  namedByTag,
  staleOf,
  tagIndex,
  tagSweep,
  tags as scopeTags,
  type ScopeSweep,
} from '../keys/keys.js'
import { scripted } from '../context.js'
import { BATCH, mastersOf, unlinkKeys, unlinkWithLeases } from './redis-keys-ops.js'
import type { InvalidationEvent } from '../types.js'

/** At most this many removed keys travel with an invalidation event (a bus message stays small). */
const ANNOUNCED_MAX = 1_000
/**
 * Index entries one `unlinkIndexPage` call removes. A script holds Redis for its whole run, so this
 * bounds how long another client's GET can wait behind it; smaller pages make a large guild's
 * invalidation slower (the trade, measured: docs/performance.md).
 */
const INDEX_PAGE = 500

/** What an index walk removed, and the index's `{born}` score when it began (null: no index). */
interface Walked {
  count: number
  keys: string[]
  born: string | null
}

/**
 * Removes what an invalidation names from Redis, then tells in-process copies here and in every other
 * process (the bus). Cost follows the index, never the keyspace (guarantee 3).
 *
 * When Redis cannot be reached mid-way, the invalidation is kept and retried in the background until it
 * succeeds: a Redis that this process cannot see may still be serving other processes, and an entry it
 * failed to remove would otherwise outlive the change for its whole TTL.
 */
export class Invalidator {
  readonly #pending = new Map<string, InvalidationEvent>()
  #timer: NodeJS.Timeout | undefined
  #closed = false

  constructor(
    private readonly ctx: CacheContext,
    private readonly bus: InvalidationBus,
  ) {}

  /**
   * `onProgress` hears how many entries were removed so far, after each batch (patterns only: the others are one or two
   * batches).
   */
  async invalidate(
    event: Exclude<InvalidationEvent, { scope: 'all' }>,
    onProgress?: (removed: number) => void,
  ): Promise<number> {
    let removed = 0
    let unreached = false
    let announced = event
    if (this.ctx.gate.enabled) {
      try {
        const outcome = await this.#remove(event, onProgress)
        removed = outcome.count
        if (outcome.keys && outcome.keys.length > 0 && event.scope !== 'key' && event.scope !== 'pattern') {
          announced = { ...event, removed: outcome.keys.slice(0, ANNOUNCED_MAX) }
        }
      } catch (err) {
        if (!(err instanceof CacheUnavailableError)) throw err
        this.#keepForRetry(event)
        unreached = true
      }
    }
    this.ctx.metrics.invalidated(event.scope, removed)
    this.bus.emitLocal(announced)
    await this.bus.publish(announced)
    if (unreached && this.ctx.options.invalidationOutwaitsSilence) await this.#outwaitSilence()
    return removed
  }

  /**
   * Redis could not be reached, so neither could the other processes be told. If Redis is gone for them
   * too, each stops trusting its in-memory copies once its heartbeat has been silent long enough
   * (InvalidationBus.listening); waiting out that silence here means that when this invalidation returns
   * (and the change's request answers), no process still serves a copy from before it. If Redis has been
   * down longer than that already, there is nothing left to wait for.
   */
  async #outwaitSilence(): Promise<void> {
    // Silence is judged at each beat, so allow two beats beyond it.
    const wait = this.bus.silenceMs + 2 * this.ctx.options.heartbeatMs - this.ctx.gate.downForMs()
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
  }

  /** Redis is back: send what is pending now rather than at the next retry tick. */
  retryNow(): void {
    if (this.#pending.size === 0 || this.#closed) return
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = undefined
    void this.#retryPending()
  }

  close(): void {
    this.#closed = true
    if (this.#timer) clearTimeout(this.#timer)
  }

  /**
   * Removes the entries (and their leases, which is what stops a racing reader's write). Resolves how
   * many entries existed, and for a guild or a user which ones.
   */
  async #remove(
    event: Exclude<InvalidationEvent, { scope: 'all' }>,
    onProgress?: (removed: number) => void,
  ): Promise<{ count: number; keys?: string[] }> {
    switch (event.scope) {
      case 'guild':
        return await this.#removeTag(scopeTags.guild(event.id))
      case 'user':
        return await this.#removeTag(scopeTags.user(event.id))
      case 'tag':
        return await this.#removeTag(event.tag)
      case 'key':
        return { count: (await this.#unlinkWithLeases([event.key])).length }
      case 'pattern':
        return {
          count: await this.#sweep({ glob: event.pattern, belongs: (key) => !key.startsWith('cache:') }, onProgress),
        }
    }
  }

  /**
   * The tag's index first (its cost follows the tag); a scan as well when the index cannot vouch that it
   * lists every entry (index-trust.ts: LRU may have evicted an earlier incarnation), or when it was
   * evicted or replaced while it was read. A guild's or user's scan covers the contract's patterns; any
   * other tag is named by no key, so its scan takes every entry of the cache (keys.ts `tagSweep`).
   */
  async #removeTag(tag: string): Promise<{ count: number; keys: string[] }> {
    const index = tagIndex(tag)
    const walked = await this.#removeIndexed(index, namedByTag(tag))
    // Read after the walk: the same incarnation from its first page to now (not evicted meanwhile),
    // and one that can vouch.
    const state = await readIndexState(this.ctx, index)
    if (vouches(state, walked.born)) return walked
    this.ctx.metrics.event('index_untrusted')
    const swept: string[] = []
    await this.#sweep(tagSweep(tag), undefined, swept)
    // The sweep began after `state` was read, so it removed what was there at state.nowMs.
    if (worthMarking(state, state.nowMs, settleMs(this.ctx))) {
      await this.ctx.gate.run('invalidate', (c) => scripted(c).indexMarkSwept(index, state.born, state.nowMs))
    }
    return { count: walked.count + swept.length, keys: [...walked.keys, ...swept] }
  }

  /** Resolves what existed, and the index's `{born}` as its first page saw it. */
  async #removeIndexed(index: string, known: string[]): Promise<Walked> {
    if (this.ctx.gate.client instanceof Cluster) return await this.#removeIndexedFromHere(index, known)
    return await this.#removeIndexedInRedis(index, known)
  }

  /**
   * A single Redis: each index page is unlinked by a script (lua.ts `unlinkIndexPage`), so the entries'
   * names cross the network once at most (those the event announces), not twice. ZSCAN's guarantee holds:
   * every member present for the whole walk is visited, whatever is added or pruned meanwhile.
   */
  async #removeIndexedInRedis(index: string, known: string[]): Promise<Walked> {
    const direct = this.#unlinkWithLeases(known)
    direct.catch(() => undefined)
    let cursor = '0'
    let count = 0
    let born: string | null | undefined
    const names: string[] = []
    do {
      const want = Math.max(0, ANNOUNCED_MAX - names.length)
      const [next, existed, found, bornNow] = await this.ctx.gate.run('invalidate', (c) =>
        scripted(c).unlinkIndexPage(index, cursor, INDEX_PAGE, want),
      )
      born ??= bornNow ?? null
      cursor = String(next)
      count += Number(existed)
      names.push(...found)
    } while (cursor !== '0')
    const existedDirect = await direct
    return { count: count + existedDirect.length, keys: [...existedDirect, ...names], born: born ?? null }
  }

  /** A Cluster: the index's entries live on every node, so the names come here and go to each entry's node. */
  async #removeIndexedFromHere(index: string, known: string[]): Promise<Walked> {
    // The next ZSCAN page does not depend on this page's UNLINK: both go out together, halving the round
    // trips a large guild waits for. Every batch is awaited before the invalidation counts as done.
    const batches: Promise<string[]>[] = []
    const start = (found: string[]) => {
      const batch = this.#unlinkWithLeases(found)
      // Handled here so a failure while the scan goes on is not an unhandled rejection; awaited below.
      batch.catch(() => undefined)
      batches.push(batch)
    }
    start(known)
    let cursor = '0'
    let born: string | null | undefined
    try {
      do {
        const first = born === undefined
        const [[next, flat], bornNow] = await this.ctx.gate.run('invalidate', (c) =>
          Promise.all([c.zscan(index, cursor, 'COUNT', BATCH), first ? c.zscore(index, '{born}') : null]),
        )
        if (first) born = bornNow
        cursor = next
        const members: string[] = []
        // Meta members (`{born}`, `{swept}`) name no entry.
        for (let i = 0; i < flat.length; i += 2)
          if (!(flat[i] as string).startsWith('{')) members.push(flat[i] as string)
        start(members)
      } while (cursor !== '0')
    } catch (err) {
      await Promise.allSettled(batches)
      throw err
    }
    const existed = (await Promise.all(batches)).flat()
    return { count: existed.length, keys: existed, born: born ?? null }
  }

  /** Each entry goes in one command with its lease and stale copy (redis-keys-ops.ts `unlinkWithLeases`). */
  async #unlinkWithLeases(found: string[]): Promise<string[]> {
    if (found.length === 0) return []
    return await this.ctx.gate.run('invalidate', (c) => unlinkWithLeases(scripted(c), found))
  }

  /**
   * SCAN, never KEYS, for a pattern or a scope whose index cannot vouch. The leases first, over the whole
   * keyspace, then the entries: a reader that took its lease before the sweep either committed before
   * its lease was reached (its value is then there for the second walk to find) or finds its lease gone
   * and stores nothing. Entries first would let a commit land behind the entry walk, and the lease walk
   * would then find nothing (the stale value stayed for its TTL). The layer's own keys (`cache:`) are
   * never data: indexes and claims survive any pattern, and stale copies (`cache:stale:{KEY}`) go only
   * with a KEY the sweep takes. Resolves how many entries existed; `removed` collects their names.
   */
  async #sweep(sweep: ScopeSweep, onProgress?: (removed: number) => void, removedNames?: string[]): Promise<number> {
    await this.#scan(internalKeys.lease(sweep.glob), async (found) => {
      const leases = found.filter((lease) => sweep.belongs(leasedKey(lease)))
      if (leases.length > 0) await this.ctx.gate.run('invalidate', (c) => unlinkKeys(c, leases))
    })
    let removed = 0
    const remove = async (entries: string[]) => {
      const existed = await this.#unlinkWithLeases(entries)
      removed += existed.length
      removedNames?.push(...existed)
      onProgress?.(removed)
    }
    // Stale copies outlive their entries by the grace period: an entry that expired leaves its copy,
    // which no entry walk would find. Each goes with its entry (if any) and lease, in one command.
    await this.#scan(internalKeys.stale(sweep.glob), async (found) => {
      const entries = found.map(staleOf).filter(sweep.belongs)
      if (entries.length > 0) await remove(entries)
    })
    await this.#scan(sweep.glob, async (found) => {
      const entries = found.filter(sweep.belongs)
      if (entries.length > 0) await remove(entries)
    })
    return removed
  }

  /** Each SCAN page is its own bounded step, so a long walk still fails fast if Redis goes away mid-way. */
  async #scan(pattern: string, onBatch: (keys: string[]) => Promise<void>): Promise<void> {
    const nodes = await this.ctx.gate.run('scan', async (c) => mastersOf(c))
    for (const node of nodes) {
      let cursor = '0'
      do {
        const [next, found] = await this.ctx.gate.run('scan', () => node.scan(cursor, 'MATCH', pattern, 'COUNT', BATCH))
        cursor = next
        if (found.length > 0) await onBatch(found)
      } while (cursor !== '0')
    }
  }

  #keepForRetry(event: InvalidationEvent): void {
    if (this.#closed) return
    this.#pending.set(JSON.stringify(event), event)
    this.#schedule()
  }

  #schedule(): void {
    if (this.#timer || this.#closed || this.#pending.size === 0) return
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      void this.#retryPending()
    }, this.ctx.options.breakerProbeIntervalMs)
    this.#timer.unref()
  }

  async #retryPending(): Promise<void> {
    for (const [id, event] of [...this.#pending]) {
      if (event.scope === 'all') continue
      try {
        await this.#remove(event)
        this.#pending.delete(id)
        this.ctx.options.logger.info({ event }, 'a delayed invalidation reached Redis')
      } catch {
        break
      }
      // Until now Redis still held the old entries, and any process (this one too) may have copied them
      // into memory since it came back; the bus message sent (or retried) earlier could not drop those.
      // Said again after the removal, as on the normal path: remove, then tell.
      this.bus.emitLocal(event)
      await this.bus.publish(event)
    }
    this.#schedule()
  }

  get pendingCount(): number {
    return this.#pending.size
  }
}
