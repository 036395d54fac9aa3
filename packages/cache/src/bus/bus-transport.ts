import { Cluster } from 'ioredis'
import type { RedisClient } from '../redis/connection.js'

/**
 * How the invalidation bus reaches the other processes (the bus waits for the acks of the cache processes
 * whose heartbeats it hears, not for PUBLISH's count, which includes any subscriber at all):
 *
 * - One Redis: PUBLISH / SUBSCRIBE.
 * - A Cluster: SPUBLISH / SSUBSCRIBE (sharded pub/sub, Redis 7). A sharded channel lives on the master
 *   that owns its slot; ioredis subscribes there (its sharded subscribers connect to masters) and SPUBLISH
 *   runs there, rather than a broadcast over the cluster bus. The ack channels share the bus channel's
 *   slot (see `ackChannelOf`), so one connection per process carries both.
 */
export interface BusTransport {
  readonly messageEvent: 'message' | 'smessage'
  send(client: RedisClient, channel: string, message: string): Promise<number>
  subscribe(subscriber: RedisClient, channels: string[]): Promise<unknown>
  /** Subscriber events after which messages may have been lost, and the one that says it listens again. */
  readonly lostEvents: readonly string[]
  readonly backEvent: string
  /**
   * Whether the client subscribes again by itself before `backEvent`. A plain client is told not to
   * (connection.ts): its own re-subscribe is a promise nobody can handle, and it says 'ready' before
   * the SUBSCRIBE is answered. The bus subscribes again itself and listens only once Redis confirmed it.
   */
  readonly resubscribesItself: boolean
}

const plain: BusTransport = {
  messageEvent: 'message',
  send: (client, channel, message) => client.publish(channel, message),
  subscribe: (subscriber, channels) => subscriber.subscribe(...channels),
  lostEvents: ['close'],
  backEvent: 'ready',
  resubscribesItself: false,
}

const sharded: BusTransport = {
  messageEvent: 'smessage',
  send: async (client, channel, message) => Number(await client.spublish(channel, message)),
  subscribe: (subscriber, channels) => subscriber.ssubscribe(...channels),
  // ioredis replaces a sharded subscriber whose connection ended, then re-subscribes and says so.
  lostEvents: ['-node', '-subscriber'],
  backEvent: 'subscribersReady',
  resubscribesItself: true,
}

export function busTransportFor(client: RedisClient | undefined): BusTransport {
  return client instanceof Cluster ? sharded : plain
}

/**
 * A process's ack channel, in the bus channel's Cluster slot: Redis hashes only the `{…}` part, and the
 * bus channel (no braces, see options.ts) hashes as a whole to the same slot.
 */
export function ackChannelOf(channel: string, origin: string): string {
  return `${channel}:ack:{${channel}}:${origin}`
}
