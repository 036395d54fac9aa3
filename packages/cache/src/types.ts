import type { Registry } from 'prom-client'

/** The public shape of `@guild/cache`. Services code against these types only. */

/** A pino-compatible logger subset; a Fastify instance's `log` fits. */
export interface CacheLogger {
  debug(obj: object, msg?: string): void
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
}

/** `disabled`: no Redis configured. `connecting`: the first connection is being made. */
export type RedisState = 'disabled' | 'connecting' | 'up' | 'down'

export interface CacheOptions {
  /** `redis://host:port/db`. Absent (and no `clusterNodes`): caching disabled, every call a cheap no-op. */
  url?: string | undefined
  /** `host:port,host:port,…` of a Redis Cluster; wins over `url`. */
  clusterNodes?: string | undefined
  /** Upper bound for any cache call while Redis is unreachable, hanging or slow. Default 50 ms. */
  operationTimeoutMs?: number
  /** Consecutive failures that open the circuit breaker. Default 5. */
  breakerThreshold?: number
  /** How often an open breaker probes Redis in the background. Default 250 ms. */
  breakerProbeIntervalMs?: number
  /**
   * Cross-process load lock: its TTL, and how long other processes wait for the holder's value. Defaults 2000 ms / 250
   * ms.
   */
  lockTtlMs?: number
  lockWaitMs?: number
  /** XFetch β for probabilistic early refresh; 0 turns early refresh off. Default 1. */
  earlyRefreshBeta?: number
  /**
   * How long an invalidation waits for the other cache processes on the bus to confirm they dropped their
   * copies. Default 500 ms (acks normally take a millisecond or two; the bound only matters when a process
   * is stalled). Must be above three heartbeats (3 × heartbeatMs): see the README's options.
   */
  propagationTimeoutMs?: number
  /**
   * An in-process tier in front of Redis for `getOrSet` (bentocache's L1): each process keeps what it
   * read for `ttlMs`, at most `max` entries (default 10,000). It is used only while this process hears
   * the invalidation bus (see `propagating()`), and every invalidation drops its entries here and in every
   * other process before it returns. Absent or `ttlMs: 0`: no in-process tier.
   */
  memory?: { ttlMs: number; max?: number }
  /**
   * How often each process sends itself a heartbeat through the bus. Three missed beats and it stops
   * trusting anything it holds in memory (a Redis that hangs carries no invalidation). Default 100 ms.
   */
  heartbeatMs?: number
  /**
   * After Redis comes back from being down, reads skip it for this long: entries it holds may predate
   * changes whose invalidation is still being retried by the process that made them. Default 1000 ms.
   */
  recoveryGraceMs?: number
  /**
   * The cap of the reconnect backoff (attempts at 50, 100, 200, … ms up to this). Default 400 ms. Must be
   * below recoveryGraceMs, which must also be above breakerProbeIntervalMs.
   */
  reconnectMaxDelayMs?: number
  /**
   * When an invalidation cannot reach Redis, wait before returning until every other process has noticed
   * the silence and stopped trusting its in-memory copies (about four heartbeats, less if Redis has been
   * down that long already). A writer that must never be followed by a stale answer (guild-api) turns
   * this on; it trades the 50 ms bound of an invalidation for that. Default false.
   */
  invalidationOutwaitsSilence?: boolean
  /**
   * Pub/sub channel of the invalidation bus. Default `cache:bus`. Tests give each file its own: pub/sub crosses
   * database indexes.
   */
  busChannel?: string
  /** Errors are logged at most once per this interval per operation. Default 10000 ms. */
  errorLogIntervalMs?: number
  logger?: CacheLogger
  /**
   * Loader timeouts (ms), each call may override them (`GetOrSetOptions.timeouts`). `soft`: when a stale
   * copy exists (see `grace`) and the loader has not answered by then, the stale value answers and the
   * loader goes on in the background, storing its value when done. `hard`: the loader is not waited for
   * longer; the stale copy answers if there is one, else `LoaderTimeoutError`. Default: none.
   */
  timeouts?: LoaderTimeouts
  /** Registry the cache's Prometheus metrics register in; default a registry of its own (`cache.metrics`). */
  registry?: Registry
}

/** What an invalidation removed, as seen by every process on the bus (and by the process that made it). */
export type InvalidationEvent =
  /** `removed`: the entries it removed from Redis (up to 1,000), so a process may recompute the ones it needs. */
  | { scope: 'guild'; id: number; removed?: readonly string[] }
  | { scope: 'user'; id: number; removed?: readonly string[] }
  /** `invalidateTags` of a tag other than `guild:G` / `user:B` (those travel as the guild and user scopes). */
  | { scope: 'tag'; tag: string; removed?: readonly string[] }
  | { scope: 'key'; key: string }
  /** `deletePattern`: every key matching a Redis glob. */
  | { scope: 'pattern'; pattern: string }
  /**
   * Sent locally when the bus reconnects after a gap: invalidations may have been missed, drop all in-process copies.
   */
  | { scope: 'all' }

/** What became of one announcement on the invalidation bus (an invalidation, or a `set`). */
export interface Propagation {
  /** Whether it reached Redis; if not, it is retried in the background and nobody was waited for. */
  published: boolean
  /**
   * The cache processes (bus ids) known through their heartbeats that did not ack within
   * `propagationTimeoutMs`: they may still answer from the copies it dropped. Empty when all did.
   */
  missing: string[]
}

export interface PermissionCheckValue {
  has_access: boolean
}

export interface PermissionCheckKey {
  guildId: number
  bnetId: number
  tool: string
}

export interface SetOptions {
  /**
   * The Battle.net user an entry belongs to when its key does not say (session entries), so `invalidateUser` finds it.
   */
  user?: number
  /**
   * Tags the entry is invalidated by (`invalidateTags`), beside those its key builder attaches
   * (`guild:G`, `user:B`). Each `namespace:value` (see `TAG_RULE`); at most 32.
   */
  tags?: readonly string[]
}

export interface WriteOptions extends SetOptions {
  /**
   * A token from `token(key)`, taken before the value was computed: the write lands only if no
   * invalidation (here or in any process) and no other write of the key came in between, and the
   * token is less than `lockTtlMs` old; otherwise `set` resolves false and stores nothing.
   */
  ifUnchangedSince?: string
}

export interface LoaderTimeouts {
  soft?: number
  hard?: number
}

/**
 * Given to a loader: `setTtl` sets the TTL of the entry it is loading from what it loaded (adaptive
 * caching, bentocache's `ctx.setOptions({ ttl })`), validated as any TTL (and with the grace, at most
 * 86,400 s). `ttl` is the TTL the entry will get.
 */
export interface LoaderContext {
  readonly ttl: number
  setTtl(seconds: number): void
}

/** How a read may fall back on a stale copy. Grace never applies to permission checks (get/setPermissionCheck). */
export interface GraceOptions {
  /**
   * Seconds the last value is kept past its TTL (`cache:stale:{KEY}`, TTL + grace, at most 86,400 s in
   * all). When the loader then fails or times out, that value answers (counted: `stale_served`). Default 0.
   */
  grace?: number
  /** Overrides the cache's `timeouts` for this call. */
  timeouts?: LoaderTimeouts
}

export interface GetOrSetOptions extends SetOptions, GraceOptions {}

export interface GetOrSetManyOptions extends GraceOptions {
  /**
   * Keys nobody asked for but worth filling while the asked ones are filled (refill after an
   * invalidation): read in the same step, the missing ones leased and given to the same loader call,
   * stored under the same write guard. One another process is loading is left to it; their values are
   * not returned. When every asked key hits, they are filled in the background.
   */
  prefetch?: readonly string[]
  /** Tags every key of the batch (asked and prefetched) carries, as `SetOptions.tags`. */
  tags?: readonly string[]
}

export interface DeletePatternOptions {
  /** Called after each batch with how many entries were removed so far: for progress displays. */
  onProgress?: (removed: number) => void
}

export interface CacheStats {
  hits: number
  misses: number
  errors: number
  /** hits / (hits + misses), 0 when there were none. */
  hitRate: number
  redis: RedisState
  /** Other cache processes heard on the bus within three heartbeats: the ones every invalidation waits for. */
  peers: number
  /**
   * Announcements (invalidations, `set`s) that some known process did not ack within propagationTimeoutMs, since start.
   */
  unacked: number
  /** Reads answered with a stale (grace) copy because the loader failed or timed out, since start. */
  staleServed: number
}

/** Why a stale copy answered. */
export type StaleReason = 'error' | 'soft-timeout' | 'hard-timeout'

/** What `cache.on(event, listener)` tells, per event. */
export interface CacheEventMap {
  hit: { key: string }
  miss: { key: string }
  'stale-served': { key: string; reason: StaleReason }
  invalidation: InvalidationEvent
  /**
   * An announcement some known cache process did not ack within propagationTimeoutMs; `unacked`: how many since start.
   */
  'ack-timeout': { unacked: number }
}

export type CacheEventName = keyof CacheEventMap

export interface Cache {
  readonly enabled: boolean
  /** Resolves once the first connection attempt has settled (up or down); never rejects. */
  readonly ready: Promise<void>
  /** The registry holding this cache's metrics. */
  readonly metrics: Registry
  /**
   * How long a lease (the write guard's claim on a key) lives: no guarded write lands later than this after its lease
   * was taken.
   */
  readonly lockTtlMs: number
  state(): RedisState

  /**
   * The in-process tier's value for `key` without waiting, or undefined (none, not trusted now, not there): for hot
   * paths that fall back to `get`/`getOrSet`.
   */
  peek<T = unknown>(key: string): T | undefined
  get<T = unknown>(key: string): Promise<T | null>
  /**
   * Stores `value` as JSON with a TTL in seconds (default 300), and before resolving drops every process's
   * in-process copy of the key (as an invalidation does, acks included); a reader that was loading the key
   * meanwhile does not store over it. Resolves false when it was not stored: Redis unavailable, or (with
   * `options.ifUnchangedSince`) an invalidation or another write of the key came after the token.
   */
  set(key: string, value: unknown, ttl?: number, options?: WriteOptions): Promise<boolean>
  /**
   * The token for a guarded `set(key, value, ttl, { ifUnchangedSince })`: take it before reading the data
   * the value is computed from. It holds the key's lease (the cross-process load lock) until the guarded
   * write or `lockTtlMs`; other processes' `getOrSet` of the key wait for it meanwhile (up to `lockWaitMs`).
   * With Redis unavailable, a token that no write accepts.
   */
  token(key: string, options?: SetOptions): Promise<string>
  delete(key: string): Promise<number>
  /** SCAN + UNLINK in batches; never KEYS. The pattern is taken as a glob; escape user text with `escapeGlob`. */
  deletePattern(pattern: string, options?: DeletePatternOptions): Promise<number>

  /**
   * Read-through: cached value, or `loader()` stored under the write guard, single-flight and the cross-process lock;
   * early refresh on hot keys.
   */
  getOrSet<T>(
    key: string,
    loader: (ctx: LoaderContext) => Promise<T>,
    ttl?: number,
    options?: GetOrSetOptions,
  ): Promise<T>
  /**
   * The batch form: one round trip to read, one `loader` call with the keys that missed (in order), values
   * returned in the order of `keys`. `options.prefetch` fills more keys in the same steps (see GetOrSetManyOptions).
   */
  getOrSetMany<T>(
    keys: readonly string[],
    loader: (missing: string[]) => Promise<T[]>,
    ttl?: number,
    options?: GetOrSetManyOptions,
  ): Promise<T[]>
  /** The seed's `@cached` decorator: key `{prefix}:{stable hash of args}`; errors of `fn` are never cached. */
  cached<A extends unknown[], R>(
    prefix: string,
    fn: (...args: A) => Promise<R>,
    options?: { ttl?: number },
  ): (...args: A) => Promise<R>

  getPermissionCheck(guildId: number, bnetId: number, tool: string): Promise<PermissionCheckValue | null>
  /** `set` of the contract's permission entry; `options.ifUnchangedSince` guards it as `set`'s does. */
  setPermissionCheck(
    guildId: number,
    bnetId: number,
    tool: string,
    hasAccess: boolean,
    ttl?: number,
    options?: WriteOptions,
  ): Promise<boolean>

  /**
   * Every `guild:{id}:*` and `permission:{id}:*` entry, in time proportional to what it removes; publishes on the bus.
   */
  invalidateGuild(guildId: number): Promise<number>
  /** `user:profile:{id}`, the user's session entries and permission entries in every guild; publishes on the bus. */
  invalidateUser(bnetId: number): Promise<number>
  /**
   * Every entry carrying any of `tags` (given with `{ tags }`, or attached by its key builder: `guild:G`,
   * `user:B`), with the same guarantees as `invalidateGuild` (which is `invalidateTags(['guild:G'])`):
   * cost follows the tag's index, leases and stale copies go with their entries, the bus is told and its
   * acks awaited. Resolves how many entries were removed.
   */
  invalidateTags(tags: readonly string[]): Promise<number>
  /**
   * How many invalidations this process could not bring to Redis and is still retrying (in memory, so
   * lost if it dies). 0 right after an invalidation returned means that one reached Redis: a writer
   * that keeps a durable record of it (an outbox) may then drop the record.
   */
  pendingInvalidations(): number
  /**
   * Runs `work` (invalidations, `set`s) and returns its result with what became of each bus announcement
   * it made: `complete` is false when one could not be published or a known cache process did not ack it
   * within `propagationTimeoutMs` (`missing` lists those processes). Such an announcement is also counted
   * (`cache_events_total{event="bus_ack_timeout"}`, `stats().unacked`) and logged, at most once per
   * `errorLogIntervalMs`.
   */
  propagation<R>(
    work: () => Promise<R>,
  ): Promise<{ result: R; complete: boolean; missing: string[]; announcements: Propagation[] }>
  /** Listens to invalidations, local and from other processes. Returns the unsubscribe function. */
  onInvalidate(listener: (event: InvalidationEvent) => void): () => void
  /**
   * Listens to one kind of event (hit, miss, stale-served, invalidation, ack-timeout). Returns the
   * unsubscribe function. With no listener registered, nothing is built per read.
   */
  on<E extends CacheEventName>(event: E, listener: (payload: CacheEventMap[E]) => void): () => void
  /**
   * Grows by one on every invalidation this process learns of (its own or from the bus). A copy kept
   * outside Redis (an L1) may be stored only if the epoch did not move while it was being computed.
   */
  epoch(): number
  /**
   * True while Redis is up and this process hears the invalidation bus: only then can a copy kept in
   * process memory be trusted to be dropped when the data changes.
   */
  propagating(): boolean

  stats(): CacheStats
  close(): Promise<void>
}
