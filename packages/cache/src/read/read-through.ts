import { scripted, type CacheContext } from '../context.js'
import { CacheUnavailableError } from '../errors.js'
import { registerInIndexes, type EntryTags } from '../invalidate/key-index.js'
import { internalKeys, namespaceOf } from '../keys/keys.js'
import type { CacheEvents } from '../observe/events.js'
import type { CacheTelemetry } from '../observe/telemetry.js'
import type { LoaderContext, StaleReason } from '../types.js'
import { acquireLease, commitUnderLeases, releaseLease, type GuardedWrite } from '../write/write-guard.js'
import { classify } from './classify.js'
import { leaseMany, planLoads } from './lease-step.js'
import { loadBatch } from './load-step.js'
import { readAll, readStale } from './read-keys.js'
import { loaderContext, type ReadPolicy } from './read-policy.js'
import { fromJson, toJson } from './serialize.js'
import { settle, type StaleLookup } from './settle.js'

/** Keys whose expiry is remembered (oldest first out): the hot ones are what matters. */
const EXPIRY_MEMO_MAX = 50_000

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function unavailable(err: unknown): err is CacheUnavailableError {
  return err instanceof CacheUnavailableError
}

const noStale = () => Promise.resolve(undefined)

/** What the read path tells besides the Prometheus metrics in the context. */
export interface ReadObservers {
  events: CacheEvents
  telemetry: CacheTelemetry
}

/**
 * getOrSet and getOrSetMany: Redis first; on a miss, the source under the write guard and the
 * cross-process lock; on a hit near expiry, an early refresh in the background. Whenever Redis cannot
 * be used, the loader answers and nothing is stored: the cache never stands between a caller and the data.
 * With grace, a loader that fails or outlives a timeout is answered for by the key's stale copy (settle.ts).
 */
export class ReadThrough {
  readonly #refreshing = new Set<string>()
  /** When keys read or written here expire (performance.now() ms), as far as this process knows. */
  readonly #expiry = new Map<string, number>()

  constructor(
    private readonly ctx: CacheContext,
    private readonly observers: ReadObservers,
  ) {}

  async getOrSet<T>(
    key: string,
    loader: (ctx: LoaderContext) => Promise<T>,
    policy: ReadPolicy,
    owner: EntryTags | undefined,
  ): Promise<T> {
    const { ctx } = this
    const ns = namespaceOf(key)
    // Just back from an outage, a stale copy may predate an invalidation still on its way: none is read.
    if (!ctx.gate.enabled || this.#recovering())
      return await this.#settle(key, ns, this.#loadOnly(ns, loader, policy), policy, noStale)
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
      if (this.#busyTimeout(err)) return await this.#miss(key, ns, loader, policy, owner, deadline)
      return await this.#settle(key, ns, this.#loadOnly(ns, loader, policy), policy, () => this.#staleOne<T>(key))
    }
    if (raw === null) this.#expiry.delete(key)
    const hit = raw === null ? undefined : this.#parse<T>(key, raw)
    if (hit !== undefined) {
      this.countHit(key, ns)
      ctx.options.logger.debug({ key }, 'cache hit')
      if (ctx.early.shouldRefresh(ns, msLeft)) this.#refreshEarly(key, ns, loader, policy, owner)
      return hit.value
    }
    this.countMiss(key, ns)
    ctx.options.logger.debug({ key }, 'cache miss')
    return await this.#miss(key, ns, loader, policy, owner, deadline)
  }

  /** A hit, wherever it was found (Redis, or the memory tier in cache.ts): metrics, OpenTelemetry, listeners. */
  countHit(key: string, ns: string): void {
    this.ctx.metrics.hit(ns)
    this.observers.telemetry.hit(ns)
    if (this.observers.events.wants('hit')) this.observers.events.emit('hit', { key })
  }

  countMiss(key: string, ns: string): void {
    this.ctx.metrics.miss(ns)
    this.observers.telemetry.miss(ns)
    if (this.observers.events.wants('miss')) this.observers.events.emit('miss', { key })
  }

  #miss<T>(
    key: string,
    ns: string,
    loader: (ctx: LoaderContext) => Promise<T>,
    policy: ReadPolicy,
    owner: EntryTags | undefined,
    deadline: number,
  ): Promise<T> {
    return this.observers.telemetry.span('cache.getOrSet load', { 'cache.key': key, 'cache.namespace': ns }, () =>
      this.#settle(key, ns, this.#loadUnderLease(key, ns, loader, policy, owner, deadline), policy, () =>
        this.#staleOne<T>(key),
      ),
    )
  }

  /** Waits for `work` under the policy's grace and timeouts, counting what a stale copy answered. */
  #settle<T>(key: string, ns: string, work: Promise<T>, policy: ReadPolicy, stale: StaleLookup<T>): Promise<T> {
    return settle(key, work, policy, stale, {
      served: (reason) => this.#countStale([key], ns, reason),
      timedOut: () => this.ctx.metrics.event('loader_timeout'),
    })
  }

  #countStale(keys: readonly string[], ns: string, reason: StaleReason): void {
    const { events } = this.observers
    this.ctx.metrics.event('stale_served', keys.length)
    for (const key of keys) {
      this.observers.telemetry.stale(ns)
      if (events.wants('stale-served')) events.emit('stale-served', { key, reason })
    }
    this.ctx.options.logger.debug({ keys: keys.length, reason }, 'stale (grace) copy served')
  }

  async #staleOne<T>(key: string): Promise<{ value: T } | undefined> {
    const [raw] = await readStale(this.ctx, [key])
    return raw == null ? undefined : this.#parse<T>(key, raw)
  }

  /** Every one of `keys`' stale copies, or undefined when any is missing: a batch answers whole or not at all. */
  async #staleAll<T>(keys: readonly string[]): Promise<{ value: Map<string, T> } | undefined> {
    const raws = await readStale(this.ctx, keys)
    const values = new Map<string, T>()
    for (const [i, key] of keys.entries()) {
      const raw = raws[i]
      const parsed = raw == null ? undefined : this.#parse<T>(key, raw)
      if (parsed === undefined) return undefined
      values.set(key, parsed.value)
    }
    return { value: values }
  }

  /** The loader alone, nothing stored (Redis not to be used). */
  #loadOnly<T>(ns: string, loader: (ctx: LoaderContext) => Promise<T>, policy: ReadPolicy): Promise<T> {
    return this.load(ns, () => loader(loaderContext(policy)))
  }

  /**
   * Named steps: read (one MGET), classify (hit, miss, prefetch to fill), lease (indexes, then leases),
   * load (one loader call), commit (guarded writes with their stale copies).
   *
   * `prefetch`: keys nobody asked for but worth filling alongside (refill after an invalidation). They are
   * read in the same step; those missing are leased with the asked ones and loaded in the same loader
   * call, under the same write guard. A prefetch key another process is loading is left to it, and
   * prefetch values are never returned. When every asked key hits, the prefetch runs in the background.
   * With grace, a failing or late loader is answered for by the asked keys' stale copies, all or none.
   */
  async getOrSetMany<T>(
    keys: readonly string[],
    loader: (missing: string[]) => Promise<T[]>,
    policy: ReadPolicy,
    prefetch: readonly string[] = [],
    tagging?: EntryTags,
  ): Promise<T[]> {
    const { ctx } = this
    const unique = [...new Set(keys)]
    const asked = new Set(unique)
    const extra = [...new Set(prefetch)].filter((k) => !asked.has(k))
    const ns = namespaceOf(unique[0] as string)
    const loadMissing = (missing: string[]) => loadBatch(missing, loader, (run) => this.load(ns, run))
    const answer = (found: ReadonlyMap<string, T>) => keys.map((k) => found.get(k) as T)
    // Redis not to be used: the source answers the asked keys, and a prefetch (nothing could be stored) is skipped.
    const loadAllAsked = async (stale: StaleLookup<Map<string, T>>): Promise<T[]> => {
      const work = loadMissing(unique).then((values) => new Map(unique.map((k, i) => [k, values[i] as T])))
      return answer(await this.#settleMany(unique, ns, work, policy, stale))
    }
    if (!ctx.gate.enabled || this.#recovering()) return await loadAllAsked(noStale)
    const deadline = ctx.gate.deadline()
    const reading = [...unique, ...extra]
    let raws: (string | null)[]
    try {
      raws = await ctx.gate.run('get', (c) => readAll(c, reading), deadline)
    } catch (err) {
      if (!unavailable(err)) throw err
      return await loadAllAsked(() => this.#staleAll<T>(unique))
    }
    const parse = (key: string, raw: string) => this.#parse<T>(key, raw)
    const { found, missing, extraMissing } = classify(reading, raws, asked, parse, (key, hit) =>
      hit ? this.countHit(key, namespaceOf(key)) : this.countMiss(key, namespaceOf(key)),
    )
    if (missing.length === 0) {
      if (extraMissing.length > 0) this.#prefetchInBackground(extraMissing, loadMissing, policy, tagging)
      return answer(found)
    }
    const outcomes = await leaseMany(ctx, [...missing, ...extraMissing], policy.ttl + policy.grace, deadline, tagging)
    const { tokens, toLoad } = planLoads(outcomes, asked, parse, found)
    const askedLoads = toLoad.filter((key) => asked.has(key))
    if (askedLoads.length === 0) {
      // Every asked key came back filled by another process: only the prefetch is left, and nobody waits for it.
      if (toLoad.length > 0) this.#prefetchLoad(toLoad, tokens, loadMissing, policy)
      return answer(found)
    }
    if (toLoad.length > askedLoads.length) ctx.metrics.event('prefetch', toLoad.length - askedLoads.length)
    const loaded = this.observers.telemetry.span(
      'cache.getOrSetMany load',
      { 'cache.namespace': ns, 'cache.keys': toLoad.length },
      () => {
        const work = this.#loadAndCommitMany(toLoad, tokens, loadMissing, policy)
        return this.#settleMany(askedLoads, ns, work, policy, () => this.#staleAll<T>(askedLoads))
      },
    )
    for (const [key, value] of await loaded) if (asked.has(key)) found.set(key, value)
    return answer(found)
  }

  #settleMany<T>(
    keys: readonly string[],
    ns: string,
    work: Promise<Map<string, T>>,
    policy: ReadPolicy,
    stale: StaleLookup<Map<string, T>>,
  ): Promise<Map<string, T>> {
    return settle(keys[0] as string, work, policy, stale, {
      served: (reason) => this.#countStale(keys, ns, reason),
      timedOut: () => this.ctx.metrics.event('loader_timeout'),
    })
  }

  /**
   * The load and commit steps: `toLoad` in one loader call (load-step.ts), stored where we hold the lease
   * (write-guard.ts `commitUnderLeases`, with the stale copies); resolves every loaded value.
   */
  async #loadAndCommitMany<T>(
    toLoad: string[],
    tokens: Map<string, string>,
    loadMissing: (missing: string[]) => Promise<T[]>,
    policy: ReadPolicy,
  ): Promise<Map<string, T>> {
    const { ctx } = this
    let values: T[]
    try {
      values = await loadMissing(toLoad)
    } catch (err) {
      await Promise.all([...tokens].map(([key, token]) => releaseLease(ctx, key, token)))
      throw err
    }
    const loaded = new Map<string, T>()
    const writes: GuardedWrite[] = []
    const releases: Promise<void>[] = []
    toLoad.forEach((key, i) => {
      const value = values[i] as T
      loaded.set(key, value)
      const token = tokens.get(key)
      if (token === undefined) return
      if (value === null || value === undefined) releases.push(releaseLease(ctx, key, token))
      else writes.push({ key, token, json: toJson(value), ttl: policy.ttl, grace: policy.grace })
    })
    await Promise.all([commitUnderLeases(ctx, writes).catch(() => 0), ...releases])
    return loaded
  }

  /**
   * Prefetch nobody waits for: leases first (the guard's order), then the load. Failures leave the keys to be filled on
   * demand.
   */
  #prefetchInBackground<T>(
    keys: string[],
    loadMissing: (missing: string[]) => Promise<T[]>,
    policy: ReadPolicy,
    tagging: EntryTags | undefined,
  ): void {
    const deadline = this.ctx.gate.deadline()
    void leaseMany(this.ctx, keys, policy.ttl + policy.grace, deadline, tagging).then(
      (outcomes) => {
        const tokens = new Map<string, string>()
        for (const [key, outcome] of outcomes) if (outcome?.kind === 'acquired') tokens.set(key, outcome.token)
        if (tokens.size > 0) this.#prefetchLoad([...tokens.keys()], tokens, loadMissing, policy)
      },
      () => undefined,
    )
  }

  #prefetchLoad<T>(
    toLoad: string[],
    tokens: Map<string, string>,
    loadMissing: (missing: string[]) => Promise<T[]>,
    policy: ReadPolicy,
  ): void {
    this.ctx.metrics.event('prefetch', toLoad.length)
    this.#loadAndCommitMany(toLoad, tokens, loadMissing, policy).catch((err: unknown) => {
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
    if (!this.#expiry.has(key) && this.#expiry.size >= EXPIRY_MEMO_MAX)
      this.#expiry.delete(this.#expiry.keys().next().value as string)
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
    return (
      err.reason === 'timeout' &&
      err.overrunMs >= this.ctx.options.operationTimeoutMs / 2 &&
      this.ctx.gate.state() === 'up'
    )
  }

  /**
   * Just back from an outage: read through to the source, neither reading nor writing Redis (see RedisGate.recovering).
   */
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

  async #loadUnderLease<T>(
    key: string,
    ns: string,
    loader: (ctx: LoaderContext) => Promise<T>,
    policy: ReadPolicy,
    owner: EntryTags | undefined,
    deadline: number,
  ): Promise<T> {
    const { ctx } = this
    let outcome
    try {
      // An entry not in its indexes could outlive an invalidation: without the index, no lease and no write.
      // Its life there is the stale copy's (TTL + grace). Both steps decide who loads: a reply late past
      // the budget (a busy process) is still waited for, as long as a waiter would wait for a holder
      // (lockWaitMs); given up on, this process would load beside the holder. A Redis that starts hanging
      // between a call's GET and its lease costs that call up to lockWaitMs more.
      await registerInIndexes(ctx, [key], policy.ttl + policy.grace, owner, deadline, ctx.options.lockWaitMs)
      outcome = await acquireLease(ctx, key, 'miss', deadline, ctx.options.lockWaitMs)
    } catch (err) {
      if (!unavailable(err)) throw err
      return await this.#loadOnly(ns, loader, policy)
    }
    if (outcome.kind === 'filled') {
      const filled = this.#parse<T>(key, outcome.raw)
      if (filled !== undefined) return filled.value
    }
    if (outcome.kind !== 'acquired') return await this.#waitForHolder(key, ns, loader, policy)
    return await this.#loadAndCommit(key, ns, loader, policy, owner, outcome.token)
  }

  /**
   * Loads under our lease and stores the value if the lease survived; a loader error or an empty value
   * gives the lease back. A loader that raised its entry's TTL (`ctx.setTtl`) has the key's index life
   * raised first: an index member must outlive its entry.
   */
  async #loadAndCommit<T>(
    key: string,
    ns: string,
    loader: (ctx: LoaderContext) => Promise<T>,
    policy: ReadPolicy,
    owner: EntryTags | undefined,
    token: string,
  ): Promise<T> {
    const { ctx } = this
    const loading = loaderContext(policy)
    let value: T
    let json: string
    try {
      value = await this.load(ns, () => loader(loading))
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
    const ttl = loading.ttl
    try {
      if (ttl > policy.ttl) await registerInIndexes(ctx, [key], ttl + policy.grace, owner, ctx.gate.deadline())
      const sentAt = performance.now()
      if ((await commitUnderLeases(ctx, [{ key, token, json, ttl, grace: policy.grace }])) === 1)
        this.#noteExpiry(key, ttl * 1_000, sentAt)
    } catch (err) {
      if (!unavailable(err)) throw err
      void releaseLease(ctx, key, token)
    }
    return value
  }

  /**
   * Another process holds the lease: wait (bounded by lockWaitMs) for its value, then load ourselves without writing.
   */
  async #waitForHolder<T>(
    key: string,
    ns: string,
    loader: (ctx: LoaderContext) => Promise<T>,
    policy: ReadPolicy,
  ): Promise<T> {
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
        return await this.#loadOnly(ns, loader, policy)
      }
    }
    ctx.metrics.event('lock_wait_expired')
    return await this.#loadOnly(ns, loader, policy)
  }

  #refreshEarly<T>(
    key: string,
    ns: string,
    loader: (ctx: LoaderContext) => Promise<T>,
    policy: ReadPolicy,
    owner: EntryTags | undefined,
  ): void {
    const { ctx } = this
    if (this.#refreshing.has(key)) return
    this.#refreshing.add(key)
    ctx.metrics.event('early_refresh')
    const deadline = ctx.gate.deadline()
    void (async () => {
      await registerInIndexes(ctx, [key], policy.ttl + policy.grace, owner, deadline)
      const outcome = await acquireLease(ctx, key, 'refresh', deadline)
      // Another process is already refreshing (or loading) it.
      if (outcome.kind !== 'acquired') return
      await this.#loadAndCommit(key, ns, loader, policy, owner, outcome.token)
    })()
      .catch((err: unknown) => {
        if (!unavailable(err))
          ctx.log.error('early-refresh', err, `early refresh of ${key} failed; the entry expires as usual`)
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
