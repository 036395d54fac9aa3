import { AsyncLocalStorage } from 'node:async_hooks'
import { randomUUID } from 'node:crypto'
import { withinDeadline } from '@guild/resilience'
import { ackChannelOf, busTransportFor, type BusTransport } from './bus-transport.js'
import type { RedisClient } from '../redis/connection.js'
import type { CacheMetrics } from '../observe/metrics.js'
import type { RateLimitedLog } from '../observe/rate-limited-log.js'
import type { RedisGate } from '../redis/redis-gate.js'
import type { InvalidationEvent, Propagation } from '../types.js'

interface BusMessage {
  v: 1
  /** The publishing process. */
  o: string
  /** Message id, echoed by acks. */
  id: string
  e: InvalidationEvent
}

interface AckMessage {
  v: 1
  ack: string
  /** The acking process. */
  o: string
}

/**
 * A heartbeat every process publishes on the bus channel. Its own proves the bus carries messages now;
 * the others' say which cache processes are listening, the only ones whose acks are waited for.
 */
interface HeartbeatMessage {
  v: 1
  hb: number
  o: string
}

interface PendingAck {
  /** The processes (origins) that acked so far. */
  acked: Set<string>
  /** Once PUBLISH answered: the known cache processes whose ack has not come yet. */
  waiting: Set<string> | undefined
  /** Ends the wait (every ack in, the timeout, or close). */
  resolve: () => void
}

const RETRY_DELAYS_MS = [50, 100, 250, 500, 1_000, 2_000, 5_000, 10_000]

/**
 * Redis pub/sub between processes, as bentocache's bus: it carries scopes and keys, never values.
 *
 * Listeners run for an invalidation made here (synchronously, before `publish` resolves) and for one
 * made elsewhere. Every cache process heartbeats on the bus channel, so each knows the others; every
 * receiver acks on the publisher's own ack channel, and `publish` waits (bounded) for the ack of every
 * cache process it knows (not for PUBLISH's count: any subscriber counts there, and an operator's
 * `redis-cli SUBSCRIBE` never acks), so when an invalidation returns, the other processes have already dropped
 * their in-process copies: the window in which one could still answer from a stale copy is closed, not
 * just short. On a Cluster the same holds through sharded pub/sub (bus-transport.ts). A publish that
 * fails is retried in the background with backoff; a receiver whose subscription dropped tells its
 * listeners to drop everything (`scope: 'all'`), since it may have missed messages.
 */
export class InvalidationBus {
  readonly origin = randomUUID()
  readonly #listeners = new Set<(event: InvalidationEvent) => void>()
  readonly #pending = new Map<string, PendingAck>()
  readonly #ackChannel: string
  readonly #transport: BusTransport
  /** A SUBSCRIBE is on its way: the next 'ready' need not send another. */
  #subscribing = false
  #everSubscribed = false
  /** Resolved when the subscription first listens: a publish made before it waits for it (bounded). */
  readonly #firstListen: Promise<void>
  #listened: () => void = () => undefined
  #listening = false
  #gap = false
  #closed = false
  #retryTimer: NodeJS.Timeout | undefined
  readonly #retries: { message: string; attempt: number }[] = []
  #heardAt = -Infinity
  /** When this subscription started listening (performance.now()). */
  #listeningSince = -Infinity
  /** Other cache processes on this channel, and when their last heartbeat was heard. */
  readonly #peers = new Map<string, number>()
  /** Publishes made inside `collect` report their propagation to its list. */
  readonly #reports = new AsyncLocalStorage<Propagation[]>()
  /** Announcements some known process did not ack in time, since start. */
  unacked = 0
  #heartbeats = 0
  #heartbeatTimer: NodeJS.Timeout | undefined
  /** Whether in-memory copies could be trusted at the last heartbeat tick (see `trusted`). */
  #trusted = false

  constructor(
    private readonly gate: RedisGate,
    private readonly subscriber: RedisClient | undefined,
    private readonly channel: string,
    private readonly options: {
      ackTimeoutMs: number
      heartbeatMs: number
      metrics: CacheMetrics
      log: RateLimitedLog
      /**
       * The owner's own view of whether in-memory copies may be trusted (Redis up, no recovery grace): a drop in it is
       * a gap too.
       */
      trusted?: () => boolean
    },
  ) {
    this.#firstListen = new Promise<void>((resolve) => (this.#listened = resolve))
    this.#ackChannel = ackChannelOf(channel, this.origin)
    this.#transport = busTransportFor(gate.client)
    if (!subscriber) return
    const transport = this.#transport
    subscriber.on('error', (err: unknown) => options.log.error('bus', err, 'invalidation bus connection error'))
    for (const lost of transport.lostEvents) {
      subscriber.on(lost, () => {
        this.#listening = false
        if (this.#everSubscribed) this.#gap = true
        // Known now, not at the next beat: from here on an invalidation can pass unheard.
        this.#distrust()
      })
    }
    subscriber.on(transport.backEvent, () => {
      if (transport.resubscribesItself && this.#everSubscribed) this.#subscribed()
      else if (!this.#subscribing) this.#subscribe(subscriber, channel)
    })
    subscriber.on(transport.messageEvent, (ch: string, raw: string) => this.#receive(ch, raw))
    // Queued until the first connection is ready (the subscriber keeps an offline queue).
    this.#subscribe(subscriber, channel)
    this.#heartbeatTimer = setInterval(() => this.#beat(), options.heartbeatMs)
    this.#heartbeatTimer.unref()
  }

  /**
   * Listening starts when Redis has answered the SUBSCRIBE, not when the connection says it is ready:
   * a message published in between would not reach us. One that fails on a connection that stays up
   * (an ACL refusing the channel, say) is retried at the heartbeat's pace; a lost connection's next
   * 'ready' sends a new one.
   */
  #subscribe(subscriber: RedisClient, channel: string): void {
    this.#subscribing = true
    this.#transport.subscribe(subscriber, [channel, this.#ackChannel]).then(
      () => {
        this.#subscribing = false
        this.#subscribed()
      },
      (err: unknown) => {
        this.#subscribing = false
        if (this.#closed) return
        this.options.log.error('bus', err, 'invalidation bus subscribe failed')
        if (subscriber.status !== 'ready') return
        setTimeout(() => {
          if (!this.#closed && !this.#subscribing && !this.#listening && subscriber.status === 'ready')
            this.#subscribe(subscriber, channel)
        }, this.options.heartbeatMs).unref()
      },
    )
  }

  #subscribed(): void {
    if (this.#closed) return
    this.#everSubscribed = true
    this.#listened()
    if (this.#gap) {
      this.#gap = false
      // Messages sent while we were away are lost: every in-process copy may be stale.
      this.emitLocal({ scope: 'all' })
    }
    if (!this.#listening) this.#listeningSince = performance.now()
    this.#listening = true
    this.#beat()
  }

  /**
   * True while this process hears other processes' invalidations: subscribed, and its own heartbeat came
   * back through Redis within the last three beats. A Redis that hangs keeps the connection open but
   * carries nothing; the silence shows here within a few hundred milliseconds, so nobody goes on trusting
   * copies that an invalidation it cannot hear might have dropped.
   */
  get listening(): boolean {
    return this.#listening && !this.#closed && performance.now() - this.#heardAt < this.silenceMs
  }

  /**
   * `listening` and the owner's own view, as of the last heartbeat tick: a flag, so that a check made on
   * every request costs a field read. It lags by at most one beat, which the silence allowance covers.
   */
  get trusted(): boolean {
    return this.#trusted && !this.#closed
  }

  /** How long without a heartbeat before `listening` turns false. */
  get silenceMs(): number {
    return this.options.heartbeatMs * 3
  }

  #beat(): void {
    if (this.#closed) return
    const trusted = this.listening && (this.options.trusted?.() ?? true)
    if (trusted) this.#trusted = true
    else this.#distrust()
    if (!this.#listening) return
    const beat: HeartbeatMessage = { v: 1, hb: ++this.#heartbeats, o: this.origin }
    this.gate
      .run('heartbeat', (c) => this.#transport.send(c, this.channel, JSON.stringify(beat)))
      .catch(() => undefined)
  }

  /** The bus went quiet, or Redis went away: invalidations may be passing unheard. Copies kept in memory go now. */
  #distrust(): void {
    if (!this.#trusted) return
    this.#trusted = false
    this.emitLocal({ scope: 'all' })
  }

  on(listener: (event: InvalidationEvent) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  emitLocal(event: InvalidationEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event)
      } catch (err) {
        this.options.log.error('bus-listener', err, 'an invalidation listener threw')
      }
    }
  }

  /**
   * Tells the other processes, and waits up to `ackTimeoutMs` for every cache process known through its
   * heartbeats to have dropped its copies. A subscriber that is no cache process (an operator's
   * `redis-cli SUBSCRIBE`) never heartbeats, so it is never waited for. A known process that does not ack
   * in time is counted (`bus_ack_timeout`), logged (rate-limited) and reported to the caller (`collect`).
   */
  async publish(event: InvalidationEvent): Promise<Propagation> {
    if (!this.gate.enabled || this.#closed) return { published: false, missing: [] }
    const message: BusMessage = { v: 1, o: this.origin, id: randomUUID(), e: event }
    const raw = JSON.stringify(message)
    // Acks are collected from now: one may arrive before PUBLISH's own reply.
    const pending: PendingAck = { acked: new Set(), waiting: undefined, resolve: () => undefined }
    this.#pending.set(message.id, pending)
    try {
      await this.gate.run('publish', (c) => this.#transport.send(c, this.channel, raw))
    } catch {
      this.#pending.delete(message.id)
      this.#retry(raw, 0)
      return this.#report({ published: false, missing: [] }, 0)
    }
    this.options.metrics.event('bus_published')
    // Not listening yet (a process that invalidates as soon as it starts, as the CLI does): it knows no
    // peer until it hears them, so it first waits for its subscription (bounded by the ack timeout).
    if (!this.#everSubscribed && this.subscriber) await withinDeadline(this.#firstListen, this.options.ackTimeoutMs)
    // Just subscribed: every listening process heartbeats once per beat, so only after a beat and a half
    // of listening do we know them all. Sooner, one we do not know yet would not be waited for.
    const unsure = this.#listeningSince + this.options.heartbeatMs * 1.5 - performance.now()
    if (this.#listening && unsure > 0) await new Promise((resolve) => setTimeout(resolve, unsure))
    const waiting = this.#livePeers()
    const expected = waiting.size
    for (const origin of pending.acked) waiting.delete(origin)
    if (waiting.size > 0 && !this.#closed) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => pending.resolve(), this.options.ackTimeoutMs)
        pending.waiting = waiting
        pending.resolve = () => {
          clearTimeout(timer)
          resolve()
        }
      })
    }
    this.#pending.delete(message.id)
    return this.#report({ published: true, missing: [...waiting] }, expected)
  }

  /** Counts, logs (rate-limited) and hands to `collect` what became of one publish. */
  #report(outcome: Propagation, expected: number): Propagation {
    if (outcome.missing.length > 0 && !this.#closed) {
      this.unacked++
      this.options.metrics.event('bus_ack_timeout')
      this.options.log.error(
        'bus-ack',
        new Error(
          `not acked by ${outcome.missing.length} of ${expected} cache processes (${outcome.missing.join(', ')})`,
        ),
        `an invalidation was not acked by every cache process within ${this.options.ackTimeoutMs} ms ` +
          '(propagationTimeoutMs); one may still serve what it dropped late',
      )
    }
    this.#reports.getStore()?.push(outcome)
    return outcome
  }

  /** Runs `work`, and returns with its result what became of every publish it made (or its callees did). */
  async collect<R>(work: () => Promise<R>): Promise<{ result: R; propagations: Propagation[] }> {
    const propagations: Propagation[] = []
    const result = await this.#reports.run(propagations, work)
    return { result, propagations }
  }

  /** Cache processes heard within the silence allowance: the ones an invalidation waits for. */
  get peers(): number {
    return this.#livePeers().size
  }

  #livePeers(): Set<string> {
    const since = performance.now() - this.silenceMs
    const live = new Set<string>()
    for (const [origin, at] of this.#peers) {
      if (at >= since) live.add(origin)
      else this.#peers.delete(origin)
    }
    return live
  }

  close(): void {
    this.#closed = true
    if (this.#retryTimer) clearTimeout(this.#retryTimer)
    if (this.#heartbeatTimer) clearInterval(this.#heartbeatTimer)
    for (const pending of [...this.#pending.values()]) pending.resolve()
    this.#pending.clear()
    this.subscriber?.disconnect()
  }

  #ack(id: string, from: string): void {
    const pending = this.#pending.get(id)
    if (!pending) return
    pending.acked.add(from)
    if (pending.waiting?.delete(from) && pending.waiting.size === 0) pending.resolve()
  }

  #receive(channel: string, raw: string): void {
    let parsed: unknown
    try {
      parsed = JSON.parse(raw)
    } catch {
      return
    }
    if (channel === this.#ackChannel) {
      const ack = parsed as AckMessage
      if (typeof ack?.ack === 'string' && typeof ack.o === 'string') this.#ack(ack.ack, ack.o)
      return
    }
    const beat = parsed as HeartbeatMessage
    if (typeof beat?.hb === 'number' && typeof beat.o === 'string') {
      if (beat.o === this.origin) this.#heardAt = performance.now()
      else this.#peers.set(beat.o, performance.now())
      return
    }
    const message = parsed as BusMessage
    if (message?.v !== 1 || typeof message.o !== 'string' || typeof message.id !== 'string' || !message.e) return
    // Our own message: listeners ran when it was sent.
    if (message.o === this.origin) return
    this.options.metrics.event('bus_received')
    this.emitLocal(message.e)
    const ack: AckMessage = { v: 1, ack: message.id, o: this.origin }
    const to = ackChannelOf(this.channel, message.o)
    this.gate.run('publish', (c) => this.#transport.send(c, to, JSON.stringify(ack))).catch(() => undefined)
  }

  #retry(message: string, attempt: number): void {
    if (this.#closed) return
    if (attempt >= RETRY_DELAYS_MS.length) {
      this.options.metrics.event('bus_publish_dropped')
      this.options.log.error(
        'bus',
        new Error('gave up'),
        'an invalidation could not be published; other processes rely on their L1 TTL',
      )
      return
    }
    this.#retries.push({ message, attempt })
    this.#schedule(RETRY_DELAYS_MS[attempt] as number)
  }

  #schedule(delayMs: number): void {
    if (this.#retryTimer || this.#closed) return
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined
      const batch = this.#retries.splice(0)
      for (const { message, attempt } of batch) {
        this.options.metrics.event('bus_publish_retry')
        this.gate
          .run('publish', (c) => this.#transport.send(c, this.channel, message))
          .then(
            () => this.options.metrics.event('bus_published'),
            () => this.#retry(message, attempt + 1),
          )
      }
    }, delayMs)
    this.#retryTimer.unref()
  }
}
