import { setTimeout as sleep } from 'node:timers/promises'
import type { Cluster, Redis } from 'ioredis'
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible'
import { BattleNetUnavailableError } from './errors.js'

/** Logins and registrations are `interactive`; scheduled roster syncs are `background` and yield to them. */
export type BnetPriority = 'interactive' | 'background'

export interface BnetQuotaOptions {
  /** Calls a second, all instances together. */
  perSecond: number
  /** Calls an hour, all instances together. */
  perHour: number
  /** Shared by every instance; without it (or while it fails) each process keeps to `processShare` of each budget. */
  redis?: Redis | Cluster | undefined
  /** The share of each budget one process takes when the count cannot be shared (0-1]. */
  processShare: number
  /** The share of every slot that background calls leave to interactive ones. Default 0.2. */
  reserve?: number
  /** How long an interactive call waits for a slot before it fails with 503. Default 1000. */
  interactiveWaitMs?: number
  /** How long a background call waits before it fails (and its job is retried later). Default 60000. */
  backgroundWaitMs?: number
  /** Redis key prefix (a `cache:` one). */
  keyPrefix?: string
  now?: () => number
}

/**
 * How late a call may reach Battle.net after it took its slot (a busy event loop, a connection to wait
 * for): the plan keeps any window-plus-this stretch within the limit, so a call delivered late still
 * counts in the window Battle.net sees it in.
 */
export const DELIVERY_MARGIN_MS = 200

/**
 * A budget of `limit` calls per `windowMs`, counted in slots of the window aligned to the clock, so
 * that any stretch of `windowMs + marginMs`, wherever it starts, holds at most `limit` calls: it overlaps
 * at most `slots + 1 + ceil(marginMs / slotMs)` slots, each allowed `limit` over that many. The slot
 * count is the one that lets the most through (100/s → 76/s in 53 ms slots of 4). A plain window
 * started at the first call, as rate-limiter-flexible keeps, lets up to twice the limit through across
 * its edge.
 */
export function slotPlan(
  limit: number,
  windowMs: number,
  marginMs = DELIVERY_MARGIN_MS,
): { slotMs: number; perSlot: number } {
  let best = { slotMs: windowMs, perSlot: 0, total: 0 }
  const maxSlots = Math.max(1, Math.min(20, Math.floor(windowMs / 50)))
  for (let slots = 1; slots <= maxSlots; slots++) {
    const slotMs = Math.ceil(windowMs / slots)
    const perSlot = Math.floor(limit / (slots + 1 + Math.ceil(marginMs / slotMs)))
    if (perSlot >= 1 && slots * perSlot > best.total) best = { slotMs, perSlot, total: slots * perSlot }
  }
  // A limit too small to split: one call a window.
  return best.perSlot === 0
    ? { slotMs: windowMs + marginMs, perSlot: 1 }
    : { slotMs: best.slotMs, perSlot: best.perSlot }
}

interface Budget {
  name: string
  slotMs: number
  perSlot: number
  limiter: RateLimiterAbstract
}

const PAUSE_KEY = 'all'

/**
 * Battle.net's call quota, shared by every guild-api instance: a per-second and a per-hour budget, and a
 * pause every instance observes after Battle.net answered 429. Counting is rate-limiter-flexible's
 * (atomic in Redis, with an in-memory insurance limiter holding this process to its share while Redis
 * fails); this class only chooses the keys (clock-aligned slots) and who waits.
 */
export class BnetQuota {
  readonly #budgets: Budget[]
  readonly #pause: RateLimiterAbstract
  readonly #reserve: number
  readonly #waitMs: Record<BnetPriority, number>
  readonly #now: () => number

  constructor(options: BnetQuotaOptions) {
    const prefix = options.keyPrefix ?? 'cache:bnet:quota'
    this.#reserve = options.reserve ?? 0.2
    this.#waitMs = { interactive: options.interactiveWaitMs ?? 1_000, background: options.backgroundWaitMs ?? 60_000 }
    this.#now = options.now ?? Date.now
    const limiter = (keyPrefix: string, points: number, durationS: number): RateLimiterAbstract => {
      const memory = new RateLimiterMemory({
        keyPrefix,
        points: Math.max(1, Math.floor(points * options.processShare)),
        duration: durationS,
      })
      if (options.redis === undefined) return memory
      return new RateLimiterRedis({
        storeClient: options.redis,
        keyPrefix,
        points,
        duration: durationS,
        insuranceLimiter: memory,
        rejectIfRedisNotReady: true,
      })
    }
    this.#budgets = [
      { name: 'second', limit: options.perSecond, windowMs: 1_000 },
      { name: 'hour', limit: options.perHour, windowMs: 3_600_000 },
    ].map(({ name, limit, windowMs }) => {
      const { slotMs, perSlot } = slotPlan(limit, windowMs)
      // Each slot's key lives a little longer than the slot: it is never read after it.
      return { name, slotMs, perSlot, limiter: limiter(`${prefix}:${name}`, perSlot, Math.ceil(slotMs / 1000) + 1) }
    })
    // Points 1: `block` marks it spent for the Retry-After, and `get` tells how long is left.
    this.#pause = limiter(`${prefix}:pause`, 1, 1)
  }

  /**
   * Takes one call from every budget, waiting for a slot up to the priority's bound; beyond it, 503 with Retry-After.
   */
  async take(priority: BnetPriority): Promise<void> {
    const deadline = this.#now() + this.#waitMs[priority]
    for (;;) {
      const waitMs = await this.#tryTake(priority)
      if (waitMs === 0) return
      if (this.#now() + waitMs > deadline) {
        throw new BattleNetUnavailableError(
          "Battle.net's call quota for this deployment is spent or paused; try again later",
          Math.max(1, Math.ceil(waitMs / 1000)),
        )
      }
      await sleep(waitMs)
    }
  }

  /** Battle.net answered 429: no instance calls it again for `seconds`. */
  async pause(seconds: number): Promise<void> {
    if (seconds <= 0) return
    await this.#pause.block(PAUSE_KEY, Math.min(seconds, 3_600)).catch(() => undefined)
  }

  /** 0 once a call was taken, else how long to wait before trying again. */
  async #tryTake(priority: BnetPriority): Promise<number> {
    const paused = await this.#pause.get(PAUSE_KEY).catch(() => null)
    if (paused !== null && paused.consumedPoints > 1) return Math.max(1, paused.msBeforeNext)
    const now = this.#now()
    const taken: Array<{ budget: Budget; key: string }> = []
    for (const budget of this.#budgets) {
      const slot = Math.floor(now / budget.slotMs)
      const key = String(slot)
      const untilNext = (slot + 1) * budget.slotMs - now
      // Background calls stop short of the reserve: what is left of a slot goes to logins and registrations.
      const cap =
        priority === 'background' ? Math.max(1, Math.floor(budget.perSlot * (1 - this.#reserve))) : budget.perSlot
      let refused: boolean
      try {
        const res = await budget.limiter.consume(key)
        refused = res.consumedPoints > cap
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err
        refused = true
      }
      if (refused) {
        await Promise.all(
          [...taken, { budget, key }].map(({ budget: b, key: k }) => b.limiter.reward(k).catch(() => undefined)),
        )
        return Math.max(1, untilNext)
      }
      taken.push({ budget, key })
    }
    return 0
  }
}
