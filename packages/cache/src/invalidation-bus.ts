import { randomUUID } from 'node:crypto'
import { ackChannelOf, busTransportFor, type BusTransport } from './bus-transport.js'
import type { RedisClient } from './connection.js'
import type { CacheMetrics } from './metrics.js'
import type { RateLimitedLog } from './rate-limited-log.js'
import type { RedisGate } from './redis-gate.js'
import type { InvalidationEvent } from './types.js'

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
}

/** A heartbeat this process sends itself through Redis: hearing it proves the bus carries messages now. */
interface HeartbeatMessage {
  v: 1
  hb: number
}

interface PendingAck {
  /** Acks heard so far; they may arrive before PUBLISH's own reply. */
  heard: number
  /** Receivers PUBLISH counted; undefined until its reply is in. */
  expected: number | undefined
  resolve: () => void
}

const RETRY_DELAYS_MS = [50, 100, 250, 500, 1_000, 2_000, 5_000, 10_000]

/**
 * Redis pub/sub between processes, as bentocache's bus: it carries scopes and keys, never values.
 *
 * Listeners run for an invalidation made here (synchronously, before `publish` resolves) and for one
 * made elsewhere. Every receiver acks on the publisher's own ack channel (the publisher's own subscriber,
 * which PUBLISH counts too, acks by hearing its message); `publish` waits (bounded) for as many acks as
 * PUBLISH reported receivers, so when an invalidation returns, the other processes have already dropped
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
  #listening = false
  #gap = false
  #closed = false
  #retryTimer: NodeJS.Timeout | undefined
  readonly #retries: { message: string; attempt: number }[] = []
  #heardAt = -Infinity
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
      /** The owner's own view of whether in-memory copies may be trusted (Redis up, no recovery grace): a drop in it is a gap too. */
      trusted?: () => boolean
    },
  ) {
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
          if (!this.#closed && !this.#subscribing && !this.#listening && subscriber.status === 'ready') this.#subscribe(subscriber, channel)
        }, this.options.heartbeatMs).unref()
      },
    )
  }

  #subscribed(): void {
    if (this.#closed) return
    this.#everSubscribed = true
    if (this.#gap) {
      this.#gap = false
      // Messages sent while we were away are lost: every in-process copy may be stale.
      this.emitLocal({ scope: 'all' })
    }
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
    const beat: HeartbeatMessage = { v: 1, hb: ++this.#heartbeats }
    this.gate.run('heartbeat', (c) => this.#transport.send(c, this.#ackChannel, JSON.stringify(beat))).catch(() => undefined)
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

  /** Tells the other processes, and waits up to `ackTimeoutMs` for them to have dropped their copies. */
  async publish(event: InvalidationEvent): Promise<void> {
    if (!this.gate.enabled || this.#closed) return
    const message: BusMessage = { v: 1, o: this.origin, id: randomUUID(), e: event }
    const raw = JSON.stringify(message)
    // Listening for acks before publishing: our own subscriber may hear the message before PUBLISH's reply arrives.
    const acked = this.options.ackTimeoutMs > 0 ? this.#listenForAcks(message.id) : undefined
    try {
      const receivers = await this.gate.run('publish', (c) => this.#transport.send(c, this.channel, raw))
      this.options.metrics.event('bus_published')
      this.#expect(message.id, receivers)
    } catch {
      this.#expect(message.id, 0)
      this.#retry(raw, 0)
      return
    }
    await acked
  }

  close(): void {
    this.#closed = true
    if (this.#retryTimer) clearTimeout(this.#retryTimer)
    if (this.#heartbeatTimer) clearInterval(this.#heartbeatTimer)
    for (const pending of this.#pending.values()) pending.resolve()
    this.#pending.clear()
    this.subscriber?.disconnect()
  }

  #listenForAcks(id: string): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id)
        resolve()
      }, this.options.ackTimeoutMs)
      this.#pending.set(id, {
        heard: 0,
        expected: undefined,
        resolve: () => {
          clearTimeout(timer)
          this.#pending.delete(id)
          resolve()
        },
      })
    })
  }

  #expect(id: string, receivers: number): void {
    const pending = this.#pending.get(id)
    if (!pending) return
    pending.expected = receivers
    if (pending.heard >= receivers) pending.resolve()
  }

  #ack(id: string): void {
    const pending = this.#pending.get(id)
    if (!pending) return
    pending.heard++
    if (pending.expected !== undefined && pending.heard >= pending.expected) pending.resolve()
  }

  #receive(channel: string, raw: string): void {
    let parsed: unknown
    try {
      parsed = JSON.parse(raw)
    } catch {
      return
    }
    if (channel === this.#ackChannel) {
      const ack = parsed as AckMessage & HeartbeatMessage
      if (typeof ack?.ack === 'string') this.#ack(ack.ack)
      else if (typeof ack?.hb === 'number') this.#heardAt = performance.now()
      return
    }
    const message = parsed as BusMessage
    if (message?.v !== 1 || typeof message.o !== 'string' || typeof message.id !== 'string' || !message.e) return
    // Our own message: listeners ran when it was sent; hearing it is our subscriber's ack.
    if (message.o === this.origin) return this.#ack(message.id)
    this.options.metrics.event('bus_received')
    this.emitLocal(message.e)
    const ack: AckMessage = { v: 1, ack: message.id }
    const to = ackChannelOf(this.channel, message.o)
    this.gate.run('publish', (c) => this.#transport.send(c, to, JSON.stringify(ack))).catch(() => undefined)
  }

  #retry(message: string, attempt: number): void {
    if (this.#closed) return
    if (attempt >= RETRY_DELAYS_MS.length) {
      this.options.metrics.event('bus_publish_dropped')
      this.options.log.error('bus', new Error('gave up'), 'an invalidation could not be published; other processes rely on their L1 TTL')
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
        this.gate.run('publish', (c) => this.#transport.send(c, this.channel, message)).then(
          () => this.options.metrics.event('bus_published'),
          () => this.#retry(message, attempt + 1),
        )
      }
    }, delayMs)
    this.#retryTimer.unref()
  }
}
