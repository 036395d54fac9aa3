import { CircuitBreaker, withinDeadline } from '@guild/resilience'
import { Cluster } from 'ioredis'
import { isServing, type RedisClient } from './connection.js'
import { CacheUnavailableError } from '../errors.js'
import type { CacheMetrics } from '../observe/metrics.js'
import { RateLimitedLog } from '../observe/rate-limited-log.js'
import type { RedisState } from '../types.js'

const SLOTS_REFRESH_MS = 5_000
/**
 * A step that starts after its call's budget is spent still gets this long. Its call's earlier steps were
 * answered (a failure ends the call), so a spent budget means this process was busy, not Redis slow; a
 * Redis that hangs now still ends the call within the bound plus this per further step.
 */
const MIN_STEP_MS = 5

const timedOut = () => new CacheUnavailableError('timeout')

export interface GateOptions {
  timeoutMs: number
  breakerThreshold: number
  breakerProbeIntervalMs: number
  metrics: CacheMetrics
  log: RateLimitedLog
}

/**
 * The one door to Redis. Every command goes through `run`, which keeps guarantee 6: a call returns
 * within its deadline whatever Redis does (down, hanging, slow, still connecting), failures feed the
 * circuit breaker, and errors are counted and logged at most once per interval.
 */
export class RedisGate {
  readonly ready: Promise<void>
  #settled = false
  #closed = false
  readonly #breaker: CircuitBreaker
  /** The last state published, to see transitions. */
  #last: RedisState = 'connecting'
  /** When Redis last came back after being down (not the first connection), and when it last went down. */
  #backAt = -Infinity
  #downAt = -Infinity
  readonly #onBack = new Set<() => void>()
  #slotsTimer: NodeJS.Timeout | undefined

  constructor(
    readonly client: RedisClient | undefined,
    private readonly options: GateOptions,
  ) {
    // No trial calls (resetMs): a call that waits out the bound is the cost the breaker saves. Its probe decides.
    this.#breaker = new CircuitBreaker({
      threshold: options.breakerThreshold,
      probe: { check: () => this.#probe(), intervalMs: options.breakerProbeIntervalMs },
      onStateChange: () => this.#publishState(),
    })
    if (!client) {
      this.#settled = true
      this.ready = Promise.resolve()
      return
    }
    this.ready = new Promise<void>((resolve) => {
      const settle = () => {
        if (this.#settled) return
        this.#settled = true
        this.#publishState()
        resolve()
      }
      client.once('ready', settle)
      client.once('error', settle)
      client.once('end', settle)
      // ioredis may retry a blackholed host quietly; the first attempt has settled after its connect timeout.
      setTimeout(settle, 1_500).unref()
    })
    client.on('error', (err: unknown) =>
      options.log.error('connection', err, 'redis connection error; the cache carries on without it'),
    )
    client.on('ready', () => {
      this.#breaker.success()
      this.#publishState()
    })
    // A closed socket is known at once: trip the breaker instead of paying a failure per call.
    client.on('close', () => {
      if (!this.#closed) this.#breaker.trip()
      this.#publishState()
    })
    if (client instanceof Cluster) {
      // Topology changes (a failover, a master back) are learnt within this even when no command hits a
      // MOVED. A timer of ours, not ioredis' slotsRefreshInterval: a disconnect that lands during one of
      // its refreshes leaves it rescheduling itself forever, which keeps a closed process alive.
      this.#slotsTimer = setInterval(() => {
        if (!this.#closed) client.refreshSlotsCache()
      }, SLOTS_REFRESH_MS)
      this.#slotsTimer.unref()
      // One master lost: the calls for its slots would each wait out the bound, while the others'
      // successes keep the failure count below the threshold. So the breaker opens at once, and its
      // probe (isServing: every master answers, cluster_state:ok) closes it when the cluster is whole.
      const lost = () => {
        if (this.#closed) return
        this.#breaker.trip()
        this.#publishState()
      }
      client.on('-node', lost)
      client.on('node error', lost)
    }
    this.#publishState()
  }

  get enabled(): boolean {
    return this.client !== undefined
  }

  state(): RedisState {
    if (!this.client) return 'disabled'
    if (!this.#settled) return 'connecting'
    return this.client.status === 'ready' && !this.#breaker.isOpen ? 'up' : 'down'
  }

  /**
   * True for `graceMs` after Redis came back from being down. Entries it holds may predate changes made
   * while this process could not see it; other processes' delayed invalidations land in that time.
   */
  recovering(graceMs: number): boolean {
    return performance.now() - this.#backAt < graceMs
  }

  /** How long Redis has been down for this process (0 when it is not). */
  downForMs(): number {
    return this.state() === 'down' ? performance.now() - this.#downAt : 0
  }

  /** Called each time Redis comes back after being down. */
  onBack(listener: () => void): void {
    this.#onBack.add(listener)
  }

  /** Milliseconds a call may spend on Redis from now. */
  deadline(): number {
    return performance.now() + this.options.timeoutMs
  }

  /**
   * Runs one Redis step, or throws CacheUnavailableError. `deadline` (from `deadline()`) lets several
   * steps of one call share a single budget. `lateMs`: a step whose reply decides more than latency (who
   * loads a key) may wait that much longer for a reply that missed the deadline while the connection is
   * up: the process was busy, or Redis slow, and the reply is still the truth. Counted as `late_reply`.
   */
  async run<T>(
    operation: string,
    fn: (client: RedisClient) => Promise<T>,
    deadline = this.deadline(),
    lateMs = 0,
  ): Promise<T> {
    const client = this.client
    if (!client) throw new CacheUnavailableError('disabled')
    if (this.#closed) throw new CacheUnavailableError('closed')
    if (!this.#settled) {
      // Guarantee: a call made while the first connection is being made waits for it, within the bound.
      await withinDeadline(this.ready, deadline - performance.now())
      if (!this.#settled) throw this.#fail(operation, new CacheUnavailableError('connecting'))
    }
    if (this.#breaker.isOpen) throw new CacheUnavailableError('breaker-open')
    const started = performance.now()
    const remaining = Math.max(deadline - started, MIN_STEP_MS)
    const reply = fn(client)
    try {
      let result: T
      try {
        result = await withinDeadline(reply, remaining, timedOut)
      } catch (err) {
        if (err instanceof CacheUnavailableError) err.overrunMs = performance.now() - started - remaining
        if (!(err instanceof CacheUnavailableError) || lateMs <= 0 || this.#breaker.isOpen || client.status !== 'ready')
          throw err
        this.options.metrics.event('late_reply')
        result = await withinDeadline(reply, lateMs, timedOut)
      }
      this.options.metrics.observe(operation, (performance.now() - started) / 1_000)
      this.#breaker.success()
      return result
    } catch (err) {
      throw this.#fail(
        operation,
        err instanceof CacheUnavailableError ? err : new CacheUnavailableError('failed', { cause: err }),
      )
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#breaker.stop()
    if (this.#slotsTimer) clearInterval(this.#slotsTimer)
    const client = this.client
    if (!client) return
    if (client.status === 'ready') {
      // QUIT waits for pending replies; a hanging Redis must not hold up shutdown.
      await withinDeadline(
        client.quit().catch(() => undefined),
        1_000,
      )
    }
    client.disconnect()
  }

  #fail(operation: string, err: CacheUnavailableError): CacheUnavailableError {
    this.options.metrics.error(operation)
    this.#breaker.failure()
    this.options.log.error(
      operation,
      err.cause ?? err,
      `cache ${operation} failed (${err.reason}); continuing without the cache`,
    )
    return err
  }

  async #probe(): Promise<boolean> {
    const client = this.client
    if (!client || this.#closed || client.status !== 'ready') return false
    try {
      return await withinDeadline(isServing(client), this.options.timeoutMs * 4, timedOut)
    } catch {
      return false
    }
  }

  #publishState(): void {
    const state = this.state()
    this.options.metrics.setUp(state === 'up')
    const last = this.#last
    this.#last = state
    if (state === 'down' && last !== 'down') this.#downAt = performance.now()
    if (state === 'up' && last === 'down') {
      this.#backAt = performance.now()
      for (const listener of this.#onBack) listener()
    }
  }
}
