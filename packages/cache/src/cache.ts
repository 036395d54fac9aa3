import { isValidId, ID_RULE } from '@guild/contract'
import { createRedisClient, createSubscriber } from './redis/connection.js'
import type { CacheContext } from './context.js'
import { EarlyRefresh } from './read/early-refresh.js'
import { CacheInputError, CacheUnavailableError } from './errors.js'
import { InvalidationBus } from './bus/invalidation-bus.js'
import { eventAffects } from './invalidate/invalidation-event.js'
import { Invalidator } from './invalidate/invalidator.js'
import { MemoryTier } from './tiers/memory-tier.js'
import { registerInIndexes, type EntryTags } from './invalidate/key-index.js'
import { assertKey, assertTags, keys, namespaceOf, scopeOfTag } from './keys/keys.js'
import { defineScripts } from './redis/lua.js'
import { ReadPolicies } from './read/read-policy.js'
import { CacheEvents } from './observe/events.js'
import { CacheTelemetry } from './observe/telemetry.js'
import { CacheMetrics } from './observe/metrics.js'
import { resolveOptions } from './options.js'
import { RateLimitedLog } from './observe/rate-limited-log.js'
import { ReadThrough } from './read/read-through.js'
import { RedisGate } from './redis/redis-gate.js'
import { SingleFlight } from './read/single-flight.js'
import { argsKeySegment, fromJson, toJson } from './read/serialize.js'
import { DEFAULT_TTL, assertTtl, TTL } from './keys/ttl.js'
import type {
  Cache,
  CacheEventMap,
  CacheEventName,
  CacheOptions,
  CacheStats,
  DeletePatternOptions,
  GetOrSetManyOptions,
  GetOrSetOptions,
  InvalidationEvent,
  LoaderContext,
  PermissionCheckValue,
  Propagation,
  RedisState,
  SetOptions,
  WriteOptions,
} from './types.js'
import { commitUnderLeases, takeWriteToken, writeOverLease } from './write/write-guard.js'

/** The token given while Redis cannot be reached: no lease ever holds it, so no guarded write takes it. */
const NO_TOKEN = 'unavailable'

/**
 * The seed's caching layer as one object. No `url` (and no `clusterNodes`): caching is disabled and
 * every call is a cheap no-op or goes straight to its loader. With Redis configured, nothing here ever
 * throws because of Redis: see redis-gate.ts. Inputs are checked first and refused with CacheInputError.
 */
export function createCache(options: CacheOptions = {}): Cache {
  return new RedisCache(options)
}

class RedisCache implements Cache {
  readonly ready: Promise<void>
  readonly #ctx: CacheContext
  readonly #bus: InvalidationBus
  readonly #invalidator: Invalidator
  readonly #readThrough: ReadThrough
  readonly #flights = new SingleFlight<unknown>()
  readonly #memory: MemoryTier<unknown> | undefined
  readonly #events: CacheEvents
  readonly #telemetry = new CacheTelemetry()
  readonly #policies: ReadPolicies
  #epoch = 0
  #closing: Promise<void> | undefined

  constructor(options: CacheOptions) {
    const resolved = resolveOptions(options)
    const metrics = new CacheMetrics(options.registry)
    const log = new RateLimitedLog(resolved.logger, resolved.errorLogIntervalMs)
    const client = createRedisClient(options, resolved.reconnectMaxDelayMs)
    if (client) defineScripts(client)
    const gate = new RedisGate(client, {
      timeoutMs: resolved.operationTimeoutMs,
      breakerThreshold: resolved.breakerThreshold,
      breakerProbeIntervalMs: resolved.breakerProbeIntervalMs,
      metrics,
      log,
    })
    this.#ctx = { gate, options: resolved, metrics, log, early: new EarlyRefresh(resolved.earlyRefreshBeta) }
    this.ready = gate.ready
    this.#bus = new InvalidationBus(gate, client ? createSubscriber(client) : undefined, resolved.busChannel, {
      ackTimeoutMs: resolved.propagationTimeoutMs,
      heartbeatMs: resolved.heartbeatMs,
      trusted: () => gate.state() === 'up' && !gate.recovering(resolved.recoveryGraceMs),
      metrics,
      log,
    })
    this.#memory =
      resolved.memory.ttlMs > 0 && client ? new MemoryTier(resolved.memory.ttlMs, resolved.memory.max) : undefined
    // Registered first, so the epoch has moved (and memory is clean) before any outside listener runs.
    this.#bus.on((event) => {
      this.#epoch++
      this.#flights.forget(eventAffects(event))
      this.#memory?.drop(event)
    })
    this.#events = new CacheEvents((err) =>
      log.error('listener', err, 'a cache event listener threw; the cache call went on'),
    )
    this.#bus.on((event) => this.#events.emit('invalidation', event))
    metrics.tap = (event) => {
      if (event === 'bus_ack_timeout' && this.#events.wants('ack-timeout'))
        this.#events.emit('ack-timeout', { unacked: this.#bus.unacked })
    }
    this.#invalidator = new Invalidator(this.#ctx, this.#bus)
    // A delayed invalidation goes out the moment Redis is back, within the others' recovery grace.
    gate.onBack(() => this.#invalidator.retryNow())
    this.#readThrough = new ReadThrough(this.#ctx, { events: this.#events, telemetry: this.#telemetry })
    this.#policies = new ReadPolicies(resolved.timeouts)
  }

  get lockTtlMs(): number {
    return this.#ctx.options.lockTtlMs
  }

  get enabled(): boolean {
    return this.#ctx.gate.enabled
  }

  get metrics() {
    return this.#ctx.metrics.registry
  }

  state(): RedisState {
    return this.#ctx.gate.state()
  }

  /**
   * What the in-process tier holds for `key`, without waiting: the value, or undefined when there is
   * none to give (no tier, not trusted right now, not there; a key no builder makes is never there). A
   * value given counts as a hit. For hot paths that answer synchronously when they can and fall back to
   * `get` or `getOrSet` otherwise.
   */
  peek<T = unknown>(key: string): T | undefined {
    const known = this.#trustedMemory()?.lookup(key)
    if (known === undefined) return undefined
    this.#readThrough.countHit(key, known.namespace)
    return known.value as T
  }

  async get<T = unknown>(key: string): Promise<T | null> {
    assertKey(key)
    const { gate, options } = this.#ctx
    if (!gate.enabled || gate.recovering(options.recoveryGraceMs)) return null
    const ns = namespaceOf(key)
    const memory = this.#trustedMemory()
    const known = memory?.get(key)
    if (known !== undefined) {
      this.#readThrough.countHit(key, ns)
      return known as T
    }
    const epoch = this.#epoch
    let raw: string | null
    // With a memory tier, the entry's time left too: a copy never outlives what it copies.
    let msLeft = 0
    const sentAt = performance.now()
    try {
      if (memory) [raw, msLeft] = await gate.run('get', (c) => Promise.all([c.get(key), c.pttl(key)]))
      else raw = await gate.run('get', (c) => c.get(key))
    } catch (err) {
      if (err instanceof CacheUnavailableError) return null
      throw err
    }
    if (raw !== null) {
      try {
        const value = fromJson<T>(raw)
        this.#readThrough.countHit(key, ns)
        options.logger.debug({ key }, 'cache hit')
        // What Redis held, unless an invalidation was heard meanwhile (it may have removed exactly this).
        if (memory && value !== null && this.#epoch === epoch && msLeft > 0)
          memory.set(key, value, undefined, sentAt + msLeft)
        return value
      } catch (err) {
        this.#ctx.log.error('parse', err, `cache entry ${key} is not JSON; treated as a miss`)
      }
    }
    this.#readThrough.countMiss(key, ns)
    options.logger.debug({ key }, 'cache miss')
    return null
  }

  async set(key: string, value: unknown, ttl: number = DEFAULT_TTL, options?: WriteOptions): Promise<boolean> {
    assertKey(key)
    assertTtl(ttl)
    const tagging = taggingOf(options, 'set')
    const guard = options?.ifUnchangedSince
    if (guard !== undefined && (typeof guard !== 'string' || guard.length === 0))
      throw new CacheInputError('set: ifUnchangedSince must be a token from cache.token(key)')
    const json = toJson(value)
    const { gate } = this.#ctx
    if (!gate.enabled) return false
    const deadline = gate.deadline()
    let stored = false
    let reached = true
    try {
      // Indexed before written: an entry missing from its index could not be invalidated.
      await registerInIndexes(this.#ctx, [key], ttl, tagging, deadline)
      // Either way the key's stale (grace) copy goes with the old value: no failing loader is answered with it.
      if (guard === undefined) {
        await writeOverLease(this.#ctx, key, json, ttl, deadline)
        stored = true
      } else {
        stored = (await commitUnderLeases(this.#ctx, [{ key, token: guard, json, ttl, grace: 0 }])) === 1
        // Refused: nothing changed, so nobody needs telling.
        if (!stored) return false
      }
    } catch (err) {
      if (!(err instanceof CacheUnavailableError)) throw err
      reached = false
    }
    // Like an invalidation: every process's copy of the old value goes before this resolves, and loads of
    // it in flight here are not joined any more (the bus's first listener).
    const event: InvalidationEvent = { scope: 'key', key }
    this.#bus.emitLocal(event)
    // Redis did not answer: the value may have landed all the same, so the others are told, in the
    // background (the bus retries) so that this call keeps its bound.
    if (reached) await this.#bus.publish(event)
    else void this.#bus.publish(event)
    return stored
  }

  async token(key: string, options?: SetOptions): Promise<string> {
    assertKey(key)
    const tagging = taggingOf(options, 'token')
    const { gate } = this.#ctx
    if (!gate.enabled) return NO_TOKEN
    const deadline = gate.deadline()
    try {
      // The guard's order, as a reader's: indexed (for the lease's life), then the lease.
      await registerInIndexes(this.#ctx, [key], 0, tagging, deadline)
      return await takeWriteToken(this.#ctx, key, deadline)
    } catch (err) {
      if (err instanceof CacheUnavailableError) return NO_TOKEN
      throw err
    }
  }

  async delete(key: string): Promise<number> {
    assertKey(key)
    return await this.#invalidate({ scope: 'key', key })
  }

  async deletePattern(pattern: string, options: DeletePatternOptions = {}): Promise<number> {
    if (typeof pattern !== 'string' || pattern.length === 0 || /[\u0000-\u001f\u007f]/.test(pattern)) {
      throw new CacheInputError(
        'deletePattern: pattern must be a non-empty glob without control characters; escape user text with escapeGlob',
      )
    }
    if (options.onProgress !== undefined && typeof options.onProgress !== 'function')
      throw new CacheInputError('deletePattern: onProgress must be a function')
    return await this.#invalidate({ scope: 'pattern', pattern }, options.onProgress)
  }

  async getOrSet<T>(
    key: string,
    loader: (ctx: LoaderContext) => Promise<T>,
    ttl: number = DEFAULT_TTL,
    options?: GetOrSetOptions,
  ): Promise<T> {
    assertKey(key)
    assertTtl(ttl)
    if (typeof loader !== 'function') throw new CacheInputError('getOrSet: loader must be a function')
    const tagging = taggingOf(options, 'getOrSet')
    const owner = tagging?.user
    const policy = this.#policies.of('getOrSet', ttl, options)
    const memory = this.#trustedMemory()
    if (memory) {
      const known = memory.lookup(key)
      if (known !== undefined) {
        this.#readThrough.countHit(key, known.namespace)
        return known.value as T
      }
    }
    const epoch = this.#epoch
    const staleBefore = this.#ctx.metrics.staleServed
    const value = (await this.#flights.run(key, () => this.#readThrough.getOrSet(key, loader, policy, tagging))) as T
    // Not remembered if an invalidation was heard meanwhile: the value may predate it. Nor beyond its
    // entry's expiry, nor at all when that is unknown (a value another process stored, a load not stored).
    // Nor when a stale copy answered anywhere meanwhile (this value may be it): erring towards not keeping.
    const until = this.#readThrough.expiryOf(key)
    const fresh = this.#epoch === epoch && this.#ctx.metrics.staleServed === staleBefore
    if (memory && value !== null && value !== undefined && fresh && until !== undefined)
      memory.set(key, value, owner, until)
    return value
  }

  async getOrSetMany<T>(
    keyList: readonly string[],
    loader: (missing: string[]) => Promise<T[]>,
    ttl: number = DEFAULT_TTL,
    options: GetOrSetManyOptions = {},
  ): Promise<T[]> {
    if (!Array.isArray(keyList)) throw new CacheInputError('getOrSetMany: keys must be an array')
    keyList.forEach((k) => assertKey(k))
    assertTtl(ttl)
    if (typeof loader !== 'function') throw new CacheInputError('getOrSetMany: loader must be a function')
    const policy = this.#policies.of('getOrSetMany', ttl, options)
    const prefetch = options.prefetch ?? []
    if (!Array.isArray(prefetch)) throw new CacheInputError('getOrSetMany: prefetch must be an array of keys')
    prefetch.forEach((k) => assertKey(k))
    const tagging = taggingOf(options, 'getOrSetMany')
    if (keyList.length === 0) return []
    return await this.#readThrough.getOrSetMany(keyList, loader, policy, prefetch, tagging)
  }

  cached<A extends unknown[], R>(
    prefix: string,
    fn: (...args: A) => Promise<R>,
    options: { ttl?: number } = {},
  ): (...args: A) => Promise<R> {
    assertKey(`${prefix}:x`)
    const ttl = options.ttl === undefined ? DEFAULT_TTL : options.ttl
    assertTtl(ttl)
    if (typeof fn !== 'function') throw new CacheInputError('cached: fn must be a function')
    // Errors of fn reject the call and are never stored: getOrSet only writes what the loader returned.
    return (...args: A) => this.getOrSet(`${prefix}:${argsKeySegment(args)}`, () => fn(...args), ttl)
  }

  async getPermissionCheck(guildId: number, bnetId: number, tool: string): Promise<PermissionCheckValue | null> {
    const value = await this.get<Partial<PermissionCheckValue>>(keys.permission(guildId, bnetId, tool))
    return value !== null && typeof value.has_access === 'boolean' ? { has_access: value.has_access } : null
  }

  async setPermissionCheck(
    guildId: number,
    bnetId: number,
    tool: string,
    hasAccess: boolean,
    ttl: number = TTL.permission,
    options?: WriteOptions,
  ): Promise<boolean> {
    const key = keys.permission(guildId, bnetId, tool)
    if (typeof hasAccess !== 'boolean')
      throw new CacheInputError(`hasAccess must be a boolean, got ${String(hasAccess)}`)
    return await this.set(key, { has_access: hasAccess }, ttl, options)
  }

  async invalidateGuild(guildId: number): Promise<number> {
    return await this.#invalidate({ scope: 'guild', id: checkedId(guildId, 'guildId') })
  }

  async invalidateUser(bnetId: number): Promise<number> {
    return await this.#invalidate({ scope: 'user', id: checkedId(bnetId, 'bnetId') })
  }

  async invalidateTags(tagList: readonly string[]): Promise<number> {
    assertTags(tagList, 'invalidateTags')
    let removed = 0
    // One after another: an entry carrying two of them is removed (and counted) once.
    for (const tag of new Set(tagList)) {
      const scoped = scopeOfTag(tag)
      removed += await this.#invalidate(scoped ? { scope: scoped.scope, id: scoped.id } : { scope: 'tag', tag })
    }
    return removed
  }

  pendingInvalidations(): number {
    return this.#invalidator.pendingCount
  }

  onInvalidate(listener: (event: InvalidationEvent) => void): () => void {
    return this.#bus.on(listener)
  }

  on<E extends CacheEventName>(event: E, listener: (payload: CacheEventMap[E]) => void): () => void {
    if (!EVENT_NAMES.has(event))
      throw new CacheInputError(`on: unknown event ${String(event)}; one of ${[...EVENT_NAMES].join(', ')}`)
    if (typeof listener !== 'function') throw new CacheInputError('on: listener must be a function')
    return this.#events.on(event, listener)
  }

  /** Every invalidation (delete, deletePattern, invalidateGuild/User) inside an OpenTelemetry span. */
  #invalidate(
    event: Exclude<InvalidationEvent, { scope: 'all' }>,
    onProgress?: (removed: number) => void,
  ): Promise<number> {
    return this.#telemetry.span('cache.invalidate', { 'cache.scope': event.scope }, async (span) => {
      const removed = await this.#invalidator.invalidate(event, onProgress)
      span.setAttribute('cache.removed', removed)
      return removed
    })
  }

  epoch(): number {
    return this.#epoch
  }

  /** The in-process tier, when there is one and it may be trusted right now. */
  #trustedMemory(): MemoryTier<unknown> | undefined {
    return this.#memory !== undefined && this.propagating() ? this.#memory : undefined
  }

  propagating(): boolean {
    // The bus's flag (heartbeats heard, no recovery grace) is refreshed every beat; Redis going down
    // is seen at once.
    return this.#bus.trusted && this.#ctx.gate.state() === 'up'
  }

  async propagation<R>(
    work: () => Promise<R>,
  ): Promise<{ result: R; complete: boolean; missing: string[]; announcements: Propagation[] }> {
    if (typeof work !== 'function') throw new CacheInputError('propagation: work must be a function')
    const { result, propagations } = await this.#bus.collect(work)
    const missing = [...new Set(propagations.flatMap((p) => p.missing))]
    const complete = propagations.every((p) => p.published && p.missing.length === 0)
    return { result, complete, missing, announcements: propagations }
  }

  stats(): CacheStats {
    const { hits, misses, errors } = this.#ctx.metrics
    return {
      hits,
      misses,
      errors,
      hitRate: hits + misses === 0 ? 0 : hits / (hits + misses),
      redis: this.state(),
      peers: this.#bus.peers,
      unacked: this.#bus.unacked,
      staleServed: this.#ctx.metrics.staleServed,
    }
  }

  async close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#invalidator.close()
      this.#bus.close()
      await this.#ctx.gate.close()
    })()
    await this.#closing
  }
}

const EVENT_NAMES: ReadonlySet<string> = new Set<CacheEventName>([
  'hit',
  'miss',
  'stale-served',
  'invalidation',
  'ack-timeout',
])

function checkedId(value: unknown, name: string): number {
  if (!isValidId(value)) throw new CacheInputError(`${name} must be ${ID_RULE}, got ${String(value)}`)
  return value
}

/** The owner and tags a write or read gives its entries, validated. */
function taggingOf(options: SetOptions | GetOrSetManyOptions | undefined, where: string): EntryTags | undefined {
  if (options === undefined) return undefined
  const user = 'user' in options && options.user !== undefined ? checkedId(options.user, 'options.user') : undefined
  if (options.tags !== undefined) assertTags(options.tags, where)
  if (user === undefined && options.tags === undefined) return undefined
  return { user, tags: options.tags }
}
