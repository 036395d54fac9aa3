import { Cluster } from 'ioredis'
import type { RedisClient } from '../redis/connection.js'
import { scripted, type CacheContext } from '../context.js'
import { CacheInputError, CacheUnavailableError } from '../errors.js'
import { registerInIndexes, type EntryTags } from '../invalidate/key-index.js'
import { internalKeys, namespaceOf } from '../keys/keys.js'
import { fromJson, toJson } from './serialize.js'
import { acquireLease, acquireLeases, commitManyUnderLeases, commitUnderLease, releaseLease } from '../write/write-guard.js'

/** Keys whose expiry is remembered (oldest first out): the hot ones are what matters. */
const EXPIRY_MEMO_MAX = 50_000

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Several keys in one step: one MGET on a single Redis. A Cluster's keys span slots, so there each is its
 * own GET, which the Cluster client's auto-pipeline groups per node.
 */
function readAll(c: RedisClient, keys: readonly string[]): Promise<(string | null)[]> {
  if (c instanceof Cluster) return Promise.all(keys.map((k) => c.get(k)))
  return c.mget(keys as string[])
}

function unavailable(err: unknown): err is CacheUnavailableError {
  return err instanceof CacheUnavailableError
}

/**
 * getOrSet and getOrSetMany: Redis first; on a miss, the source under the write guard and the
 * cross-process lock; on a hit near expiry, an early refresh in the background. Whenever Redis cannot
 * be used, the loader answers and nothing is stored: the cache never stands between a caller and the data.
 */
export class ReadThrough {
  readonly #refreshing = new Set<string>()
  /** When keys read or written here expire (performance.now() ms), as far as this process knows. */
  readonly #expiry = new Map<string, number>()

  constructor(private readonly ctx: CacheContext) {}

  async getOrSet<T>(key: string, loader: () => Promise<T>, ttl: number, owner: EntryTags | undefined): Promise<T> {
    const { ctx } = this
    const ns = namespaceOf(key)
    if (!ctx.gate.enabled || this.#recovering()) return await this.load(ns, loader)
    const deadline = ctx.gate.deadline()
    let raw: string | null
    let msLeft = 0
    try {
      if (this.#wantsTimeLeft(key, ns)) {
        const sentAt = performance.now()
        ;[raw, msLeft] = await ctx.gate.run('get', (c) => Promise.all([c.get(key), c.pttl(key)]), deadline)
        this.#noteExpiry(key, raw === null ? undefined : msLeft, sentAt)
      } else raw = await ctx.gate.run('get', (c) => c.get(key), deadline)
    } catch (err) {
      if (!unavailable(err)) throw err
      // The bound passed while this process was busy (a burst of requests) and Redis is up: its answer is
      // unknown, not absent. The lease steps read the key too ('miss' mode) and decide who loads; loading
      // here would be a second load beside the holder. An idle process timing out sees a Redis that does
      // not answer, and loads at once (guarantee 6).
      if (this.#busyTimeout(err)) return await this.#loadUnderLease(key, ns, loader, ttl, owner, deadline)
      return await this.load(ns, loader)
    }
    if (raw === null) this.#expiry.delete(key)
    const hit = raw === null ? undefined : this.#parse<T>(key, raw)
    if (hit !== undefined) {
      ctx.metrics.hit(ns)
      ctx.options.logger.debug({ key }, 'cache hit')
      if (ctx.early.shouldRefresh(ns, msLeft)) this.#refreshEarly(key, ns, loader, ttl, owner)
      return hit.value
    }
    ctx.metrics.miss(ns)
    ctx.options.logger.debug({ key }, 'cache miss')
    return await this.#loadUnderLease(key, ns, loader, ttl, owner, deadline)
  }

  /**
   * `prefetch`: keys nobody asked for but worth filling alongside (refill after an invalidation). They are
   * read in the same step; those missing are leased with the asked ones and loaded in the same loader
   * call, under the same write guard. A prefetch key another process is loading is left to it, and
   * prefetch values are never returned. When every asked key hits, the prefetch runs in the background.
   */
  async getOrSetMany<T>(keys: readonly string[], loader: (missing: string[]) => Promise<T[]>, ttl: number, prefetch: readonly string[] = [], tagging?: EntryTags): Promise<T[]> {
    const { ctx } = this
    const unique = [...new Set(keys)]
    const asked = new Set(unique)
    const extra = [...new Set(prefetch)].filter((k) => !asked.has(k))
    const found = new Map<string, T>()
    const ns = namespaceOf(unique[0] as string)
    const loadMissing = async (missing: string[]): Promise<T[]> => {
      const values = await this.load(ns, () => loader(missing))
      if (!Array.isArray(values) || values.length !== missing.length) {
        throw new CacheInputError(`getOrSetMany: the loader must return one value per missing key (${missing.length}), got ${Array.isArray(values) ? values.length : typeof values}`)
      }
      return values
    }
    // Redis not to be used: the source answers the asked keys, and a prefetch (nothing could be stored) is skipped.
    const loadAllAsked = async (): Promise<T[]> => {
      const values = await loadMissing(unique)
      unique.forEach((k, i) => found.set(k, values[i] as T))
      return keys.map((k) => found.get(k) as T)
    }
    if (!ctx.gate.enabled || this.#recovering()) return await loadAllAsked()
    const deadline = ctx.gate.deadline()
    const reading = [...unique, ...extra]
    let raws: (string | null)[] = []
    try {
      raws = await ctx.gate.run('get', (c) => readAll(c, reading), deadline)
    } catch (err) {
      if (!unavailable(err)) throw err
      return await loadAllAsked()
    }
    const missing: string[] = []
    const extraMissing: string[] = []
    reading.forEach((key, i) => {
      const hit = raws[i] == null ? undefined : this.#parse<T>(key, raws[i] as string)
      if (!asked.has(key)) {
        if (hit === undefined) extraMissing.push(key)
      } else if (hit !== undefined) {
        found.set(key, hit.value)
        ctx.metrics.hit(namespaceOf(key))
      } else {
        missing.push(key)
        ctx.metrics.miss(namespaceOf(key))
      }
    })
    if (missing.length === 0) {
      if (extraMissing.length > 0) this.#prefetchInBackground(extraMissing, loadMissing, ttl, tagging)
      return keys.map((k) => found.get(k) as T)
    }
    const tokens = new Map<string, string>()
    const toLoad: string[] = []
    const leasing = [...missing, ...extraMissing]
    for (const [key, outcome] of await this.#leaseMany(leasing, ttl, deadline, tagging)) {
      if (!asked.has(key)) {
        // Prefetch: only what we hold the lease for; anything else is already there or on its way.
        if (outcome?.kind === 'acquired') {
          tokens.set(key, outcome.token)
          toLoad.push(key)
        }
        continue
      }
      if (outcome?.kind === 'filled') {
        const filled = this.#parse<T>(key, outcome.raw)
        if (filled !== undefined) {
          found.set(key, filled.value)
          continue
        }
      }
      if (outcome?.kind === 'acquired') tokens.set(key, outcome.token)
      // Held by another process, or Redis unavailable: we load it too (one batched call), but only a lease holder writes.
      toLoad.push(key)
    }
    const askedLoads = toLoad.filter((key) => asked.has(key)).length
    if (askedLoads === 0) {
      // Every asked key came back filled by another process: only the prefetch is left, and nobody waits for it.
      if (toLoad.length > 0) this.#prefetchLoad(toLoad, tokens, loadMissing, ttl)
    } else {
      if (toLoad.length > askedLoads) ctx.metrics.event('prefetch', toLoad.length - askedLoads)
      await this.#loadAndCommitMany(toLoad, tokens, loadMissing, ttl, found)
    }
    return keys.map((k) => found.get(k) as T)
  }

  /** Loads `toLoad` in one call, stores those we hold a lease for, and records every value in `found`. */
  async #loadAndCommitMany<T>(toLoad: string[], tokens: Map<string, string>, loadMissing: (missing: string[]) => Promise<T[]>, ttl: number, found: Map<string, T>): Promise<void> {
    const { ctx } = this
    let values: T[]
    try {
      values = await loadMissing(toLoad)
    } catch (err) {
      await Promise.all([...tokens].map(([key, token]) => releaseLease(ctx, key, token)))
      throw err
    }
    const writes: { key: string; token: string; json: string }[] = []
    const releases: Promise<void>[] = []
    toLoad.forEach((key, i) => {
      const value = values[i] as T
      found.set(key, value)
      const token = tokens.get(key)
      if (token === undefined) return
      if (value === null || value === undefined) releases.push(releaseLease(ctx, key, token))
      else writes.push({ key, token, json: toJson(value) })
    })
    await Promise.all([commitManyUnderLeases(ctx, writes, ttl).catch(() => 0), ...releases])
  }

  /** Prefetch nobody waits for: leases first (the guard's order), then the load. Failures leave the keys to be filled on demand. */
  #prefetchInBackground<T>(keys: string[], loadMissing: (missing: string[]) => Promise<T[]>, ttl: number, tagging: EntryTags | undefined): void {
    const deadline = this.ctx.gate.deadline()
    void this.#leaseMany(keys, ttl, deadline, tagging).then((outcomes) => {
      const tokens = new Map<string, string>()
      for (const [key, outcome] of outcomes) if (outcome?.kind === 'acquired') tokens.set(key, outcome.token)
      if (tokens.size > 0) this.#prefetchLoad([...tokens.keys()], tokens, loadMissing, ttl)
    }, () => undefined)
  }

  #prefetchLoad<T>(toLoad: string[], tokens: Map<string, string>, loadMissing: (missing: string[]) => Promise<T[]>, ttl: number): void {
    this.ctx.metrics.event('prefetch', toLoad.length)
    this.#loadAndCommitMany(toLoad, tokens, loadMissing, ttl, new Map()).catch((err: unknown) => {
      this.ctx.options.logger.debug({ err, keys: toLoad.length }, 'prefetch failed; its keys are filled on demand')
    })
  }

  /**
   * Whether this read needs the key's time left (a PTTL beside the GET): only when early refresh is on,
   * a load was timed here, and the key is not known to be further from expiry than a refresh could start.
   * A hot key's hits then cost one command instead of two. The known expiry is what the last PTTL or
   * write here said; a key another process rewrote later only expires later, and is read again near the
   * old time.
   */
  #wantsTimeLeft(key: string, ns: string): boolean {
    // An in-process copy may live no longer than the entry it copies (expiryOf): every read must know.
    if (this.ctx.options.memory.ttlMs > 0) return true
    const horizon = this.ctx.early.horizonMs(ns)
    if (horizon === undefined) return false
    const known = this.#expiry.get(key)
    return known === undefined || known - performance.now() <= horizon
  }

  /**
   * `from`: when the command that set or read the TTL was sent. Redis ran it later, so the entry expires
   * no earlier than `from + msLeft`: what is noted errs early, never late.
   */
  #noteExpiry(key: string, msLeft: number | undefined, from: number): void {
    if (msLeft === undefined || msLeft <= 0) {
      this.#expiry.delete(key)
      return
    }
    if (!this.#expiry.has(key) && this.#expiry.size >= EXPIRY_MEMO_MAX) this.#expiry.delete(this.#expiry.keys().next().value as string)
    this.#expiry.set(key, from + msLeft)
  }

  /**
   * When `key`'s entry expires (performance.now() ms, erring early), as learnt by the last read of it
   * here (with a memory tier every read asks) or by a write here; undefined when not known, which
   * includes a value this process did not read from Redis nor store there itself.
   */
  expiryOf(key: string): number | undefined {
    return this.#expiry.get(key)
  }

  #busyTimeout(err: CacheUnavailableError): boolean {
    return err.reason === 'timeout' && err.overrunMs >= this.ctx.options.operationTimeoutMs / 2 && this.ctx.gate.state() === 'up'
  }

  /** Just back from an outage: read through to the source, neither reading nor writing Redis (see RedisGate.recovering). */
  #recovering(): boolean {
    return this.ctx.gate.recovering(this.ctx.options.recoveryGraceMs)
  }

  /** Calls the loader, timing it for early refresh. */
  async load<T>(ns: string, loader: () => Promise<T>): Promise<T> {
    const started = performance.now()
    const value = await loader()
    this.ctx.early.recordLoad(ns, performance.now() - started)
    this.ctx.metrics.event('load')
    return value
  }

  async #leaseMany(missing: string[], ttl: number, deadline: number, tagging: EntryTags | undefined) {
    const { ctx } = this
    try {
      const late = ctx.options.lockWaitMs
      await registerInIndexes(ctx, missing, ttl, tagging, deadline, late)
      const outcomes = await acquireLeases(ctx, missing, deadline, late)
      return missing.map((k, i) => [k, outcomes[i]] as const)
    } catch (err) {
      if (!unavailable(err)) throw err
      return missing.map((k) => [k, undefined] as const)
    }
  }

  async #loadUnderLease<T>(key: string, ns: string, loader: () => Promise<T>, ttl: number, owner: EntryTags | undefined, deadline: number): Promise<T> {
    const { ctx } = this
    let outcome
    try {
      // An entry not in its indexes could outlive an invalidation: without the index, no lease and no write.
      // Both steps decide who loads: a reply late past the budget (a busy process) is still waited for,
      // as long as a waiter would wait for a holder (lockWaitMs); given up on, this process would load
      // beside the holder. A Redis that starts hanging between a call's GET and its lease costs that call
      // up to lockWaitMs more.
      await registerInIndexes(ctx, [key], ttl, owner, deadline, ctx.options.lockWaitMs)
      outcome = await acquireLease(ctx, key, 'miss', deadline, ctx.options.lockWaitMs)
    } catch (err) {
      if (!unavailable(err)) throw err
      return await this.load(ns, loader)
    }
    if (outcome.kind === 'filled') {
      const filled = this.#parse<T>(key, outcome.raw)
      if (filled !== undefined) return filled.value
    }
    if (outcome.kind !== 'acquired') return await this.#waitForHolder(key, ns, loader)
    return await this.#loadAndCommit(key, ns, loader, ttl, outcome.token)
  }

  /** Loads under our lease and stores the value if the lease survived; a loader error or an empty value gives the lease back. */
  async #loadAndCommit<T>(key: string, ns: string, loader: () => Promise<T>, ttl: number, token: string): Promise<T> {
    const { ctx } = this
    let value: T
    let json: string
    try {
      value = await this.load(ns, loader)
      // Nothing to cache (null: "not found"), and get() could not tell a stored null from a miss.
      if (value === null || value === undefined) {
        await releaseLease(ctx, key, token)
        return value
      }
      json = toJson(value)
    } catch (err) {
      await releaseLease(ctx, key, token)
      throw err
    }
    try {
      const sentAt = performance.now()
      if (await commitUnderLease(ctx, key, token, json, ttl)) this.#noteExpiry(key, ttl * 1_000, sentAt)
    } catch (err) {
      if (!unavailable(err)) throw err
    }
    return value
  }

  /** Another process holds the lease: wait (bounded by lockWaitMs) for its value, then load ourselves without writing. */
  async #waitForHolder<T>(key: string, ns: string, loader: () => Promise<T>): Promise<T> {
    const { ctx } = this
    ctx.metrics.event('lock_wait')
    const until = performance.now() + ctx.options.lockWaitMs
    let pause = 5
    for (let left = until - performance.now(); left > 0; left = until - performance.now()) {
      await sleep(Math.min(pause, left))
      pause = Math.min(pause * 2, 50)
      let raw: string | null = null
      let leased = 1
      try {
        // Value and lease in one step (lua.ts peekLease): no value and no lease means its holder gave up or
        // an invalidation took it, and no value is coming; waiting out lockWaitMs would only add latency.
        const [found, what] = await ctx.gate.run('get', (c) => scripted(c).guardPeek(key, internalKeys.lease(key)))
        if (found === 1) raw = what
        else leased = what
      } catch (err) {
        if (!unavailable(err)) throw err
        // One poll unanswered in its bound (a busy process, most often) is no reason to load beside the
        // holder: the next poll asks again, within lockWaitMs. An open breaker is: Redis is gone.
        if (ctx.gate.state() === 'up') continue
        break
      }
      const hit = raw === null ? undefined : this.#parse<T>(key, raw)
      if (hit !== undefined) {
        ctx.metrics.event('lock_wait_served')
        return hit.value
      }
      if (leased === 0) {
        ctx.metrics.event('lock_wait_abandoned')
        return await this.load(ns, loader)
      }
    }
    ctx.metrics.event('lock_wait_expired')
    return await this.load(ns, loader)
  }

  #refreshEarly<T>(key: string, ns: string, loader: () => Promise<T>, ttl: number, owner: EntryTags | undefined): void {
    const { ctx } = this
    if (this.#refreshing.has(key)) return
    this.#refreshing.add(key)
    ctx.metrics.event('early_refresh')
    const deadline = ctx.gate.deadline()
    void (async () => {
      await registerInIndexes(ctx, [key], ttl, owner, deadline)
      const outcome = await acquireLease(ctx, key, 'refresh', deadline)
      // Another process is already refreshing (or loading) it.
      if (outcome.kind !== 'acquired') return
      await this.#loadAndCommit(key, ns, loader, ttl, outcome.token)
    })()
      .catch((err: unknown) => {
        if (!unavailable(err)) ctx.log.error('early-refresh', err, `early refresh of ${key} failed; the entry expires as usual`)
      })
      .finally(() => this.#refreshing.delete(key))
  }

  /** A value Redis holds but JSON cannot read (written by something else) counts as a miss, never an error. */
  #parse<T>(key: string, raw: string): { value: T } | undefined {
    try {
      return { value: fromJson<T>(raw) }
    } catch (err) {
      this.ctx.log.error('parse', err, `cache entry ${key} is not JSON; treated as a miss`)
      return undefined
    }
  }
}
