import type { Cache, CacheLogger } from '@guild/cache'
import { asc, cacheOutbox, sql, type DbHandle } from '@guild/db'
import { deleteRows } from './outbox.js'
import { distinct, fromRow, invalidate, targetId } from './targets.js'

/** Rows claimed in one transaction. */
const BATCH = 100
/** How often the drainer looks at the cache's state, so that a Redis back from an outage is drained at once. */
const STATE_POLL_MS = 250
/**
 * A row younger than this is left to its writer, which normally delivers it within milliseconds of its
 * commit (at most the bus' 500 ms ack wait): a drainer taking it meanwhile would invalidate a second
 * time, later, and remove entries refilled since.
 */
export const WRITER_GRACE_MS = 1_000

export interface OutboxDrainerOptions {
  db: DbHandle
  cache: Cache
  log: Pick<CacheLogger, 'info' | 'warn'>
  /** How often the outbox is read while Redis is up (it is read at once when Redis comes back). */
  intervalMs: number
  /** Default WRITER_GRACE_MS. */
  writerGraceMs?: number
}

/**
 * Delivers the invalidations in `cache_outbox` that their writer could not (Redis unreachable for it,
 * then it died, or it is still retrying): on start, every `intervalMs` while Redis is up, and as soon
 * as Redis is up again after this process lost it. Any instance may run it: rows are claimed with
 * `FOR UPDATE SKIP LOCKED`, invalidated, and deleted only once the invalidation reached Redis. A
 * drainer that dies mid-way holds nothing: its transaction, and with it the claim, dies with it.
 */
export class OutboxDrainer {
  readonly #options: OutboxDrainerOptions
  #timer: NodeJS.Timeout | undefined
  #wasUp = false
  #lastDrain = 0
  #running: Promise<void> | undefined
  #failing = false

  constructor(options: OutboxDrainerOptions) {
    this.#options = options
  }

  start(): void {
    if (this.#timer) return
    this.#timer = setInterval(() => this.#tick(), Math.min(STATE_POLL_MS, this.#options.intervalMs))
    this.#timer.unref()
    this.#tick()
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer)
    this.#timer = undefined
    await this.#running
  }

  /**
   * Delivers what the outbox holds now; resolves how many rows it delivered. Does nothing while Redis is
   * not up, or while this process still retries invalidations of its own (a delivery could then not
   * be told apart from theirs; the next round does it).
   */
  async drain(): Promise<number> {
    const { db, cache } = this.#options
    let delivered = 0
    for (;;) {
      if (cache.state() !== 'up' || cache.pendingInvalidations() > 0) return delivered
      const graceS = (this.#options.writerGraceMs ?? WRITER_GRACE_MS) / 1000
      const due = sql`${cacheOutbox.createdAt} <= clock_timestamp() - make_interval(secs => ${graceS})`
      // A look without a transaction first: the outbox is empty nearly always.
      const [any] = await db.db.select({ id: cacheOutbox.id }).from(cacheOutbox).where(due).limit(1)
      if (any === undefined) return delivered
      const claimed = await db.db.transaction(async (tx) => {
        const rows = await tx
          .select()
          .from(cacheOutbox)
          .where(due)
          .orderBy(asc(cacheOutbox.id))
          .limit(BATCH)
          .for('update', { skipLocked: true })
        const reached = new Set<string>()
        // One at a time: a backlog's invalidations all at once would share Redis' 50 ms budget and fail
        // together; and a failure then leaves only the rest owed.
        for (const target of distinct(rows.map(fromRow))) {
          await invalidate(cache, target)
          if (cache.pendingInvalidations() > 0) break
          reached.add(targetId(target))
        }
        const delivered = rows.filter((r) => reached.has(targetId(fromRow(r))))
        await deleteRows(
          tx,
          delivered.map((r) => r.id),
        )
        return { rows: delivered.length, done: rows.length < BATCH || delivered.length < rows.length }
      })
      delivered += claimed.rows
      if (claimed.done) return delivered
    }
  }

  #tick(): void {
    if (this.#running) return
    const up = this.#options.cache.state() === 'up'
    const back = up && !this.#wasUp
    this.#wasUp = up
    if (!up || (!back && Date.now() - this.#lastDrain < this.#options.intervalMs)) return
    this.#lastDrain = Date.now()
    this.#running = this.drain()
      .then((delivered) => {
        if (delivered > 0) this.#options.log.info({ delivered }, 'delivered invalidations from the outbox')
        this.#failing = false
      })
      .catch((err: unknown) => {
        // Once per outage, not once per round: the database being down is reported by /health/ready.
        if (!this.#failing) this.#options.log.warn({ err }, 'could not drain the invalidation outbox; retrying')
        this.#failing = true
      })
      .finally(() => {
        this.#running = undefined
      })
  }
}
