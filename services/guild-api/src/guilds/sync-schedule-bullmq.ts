import { setTimeout as sleep } from 'node:timers/promises'
import { parseClusterNodes } from '@guild/service-kit'
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq'
import type { FastifyBaseLogger } from 'fastify'
import { Cluster, Redis } from 'ioredis'
import type { RosterSyncs } from './scheduled-sync.js'

export const QUEUE_NAME = 'roster-sync'
const CLOSE_WAIT_MS = 3_000
const SWEEP = 'sweep'
const GUILD = 'guild'

export interface BullScheduleOptions {
  url?: string | undefined
  clusterNodes?: string | undefined
  intervalS: number
  /** Guild sync jobs started a second, every instance together (BullMQ's global limiter). */
  jobsPerSecond: number
  /** Concurrent jobs in this process. */
  concurrency?: number
  syncs: RosterSyncs
  log: FastifyBaseLogger
}

/**
 * BullMQ's keys: under `cache:` as the contract asks of every key we do not name; in a cluster with a
 * hash tag, since a queue's keys must share a slot.
 */
export function bullPrefix(cluster: boolean): string {
  return cluster ? 'cache:{bull}' : 'cache:bull'
}

/**
 * The schedule on BullMQ: one job scheduler (the same id from every instance, so one sweep per
 * interval whatever their number) whose sweep job adds one job per guild, deduplicated per guild
 * until that job is done; workers in every instance take them under BullMQ's global rate limiter, retrying a
 * failure with backoff. BullMQ gets connections of its own (`maxRetriesPerRequest: null`, as it
 * requires); nothing here is awaited at start, so guild-api boots and serves while Redis is down.
 */
export class BullSchedule {
  readonly #connections: Array<Redis | Cluster> = []
  readonly #queue: Queue
  readonly #worker: Worker
  #closing = false
  readonly #upserting: NodeJS.Timeout

  constructor(private readonly options: BullScheduleOptions) {
    const cluster = options.clusterNodes !== undefined && options.clusterNodes !== ''
    // Reconnects until close: BullMQ duplicates these for its blocking reads, with the same strategy, so
    // that once closing no connection of ours or BullMQ's keeps retrying a Redis that is gone.
    const retry = (times: number): number | null => (this.#closing ? null : Math.min(50 * 2 ** times, 2_000))
    const connect = (): Redis | Cluster => {
      const made = cluster
        ? new Cluster(parseClusterNodes(options.clusterNodes as string), {
            clusterRetryStrategy: retry,
            redisOptions: { maxRetriesPerRequest: null },
          })
        : new Redis(options.url as string, { maxRetriesPerRequest: null, retryStrategy: retry })
      made.on('error', () => undefined)
      this.#connections.push(made)
      return made
    }
    const prefix = bullPrefix(cluster)
    const intervalMs = options.intervalS * 1000
    this.#queue = new Queue(QUEUE_NAME, {
      connection: connect(),
      prefix,
      // The event stream is capped (BullMQ keeps 10,000 by default); nothing here reads it.
      streams: { events: { maxLen: 1_000 } },
      defaultJobOptions: {
        attempts: 3,
        backoff: { type: 'exponential', delay: 5_000 },
        removeOnComplete: true,
        removeOnFail: { age: 86_400, count: 1_000 },
      },
    })
    this.#queue.on('error', () => undefined)
    this.#worker = new Worker(QUEUE_NAME, async (job: Job) => await this.#process(job), {
      connection: connect(),
      prefix,
      concurrency: options.concurrency ?? 2,
      limiter: { max: Math.max(1, options.jobsPerSecond), duration: 1_000 },
      // A guild's job runs for one Battle.net call and a transaction; a stalled one is retried by another worker.
      lockDuration: 60_000,
    })
    this.#worker.on('error', (err) => options.log.debug({ err }, 'roster sync worker: Redis error'))
    this.#worker.on('failed', (job, err) => {
      if (job?.name === GUILD)
        options.log.warn(
          { guild_id: (job.data as { guildId?: number }).guildId, attempt: job.attemptsMade, err: err.message },
          'scheduled roster sync failed',
        )
    })
    // Waits for Redis in the background: the same id from every instance updates one scheduler. Again
    // every interval, so that a scheduler evicted from Redis (its keys have no TTL, but allkeys-lru) is back.
    const upsert = () =>
      void this.#queue
        .upsertJobScheduler(
          'roster-sync-sweep',
          { every: intervalMs },
          { name: SWEEP, opts: { attempts: 3, removeOnComplete: true, removeOnFail: { count: 100 } } },
        )
        .catch((err: unknown) => options.log.warn({ err }, 'roster sync: could not set up the schedule'))
    upsert()
    this.#upserting = setInterval(upsert, intervalMs)
    this.#upserting.unref()
  }

  async #process(job: Job): Promise<unknown> {
    const { syncs } = this.options
    if (job.name === SWEEP) {
      const ids = await syncs.guildIds()
      // At most one job per guild in the queue: while a guild's job waits (a backlog behind the rate
      // limiter), the next sweep adds none for it, so the queue never outgrows the number of guilds.
      await this.#queue.addBulk(
        ids.map((guildId) => ({ name: GUILD, data: { guildId }, opts: { deduplication: { id: `guild-${guildId}` } } })),
      )
      return ids.length
    }
    const guildId = (job.data as { guildId: number }).guildId
    const outcome = await syncs.scheduled(guildId)
    // Battle.net does not know it: retrying within the interval would only ask again.
    if (outcome === 'gone') throw new UnrecoverableError(`Battle.net no longer knows guild ${guildId}`)
    return outcome
  }

  /**
   * Lets the running jobs finish for a few seconds; past that (Redis gone, a job waiting on the quota)
   * drops every connection, BullMQ's own blocking one included: an unfinished job is taken up again by
   * another worker once its lock lapses.
   */
  async close(): Promise<void> {
    this.#closing = true
    clearInterval(this.#upserting)
    // With Redis away there is nothing to finish gracefully: a forced close does not wait on it.
    const redisUp = this.#connections.every((connection) => connection.status === 'ready')
    const closed = Promise.all([this.#worker.close(!redisUp), this.#queue.close()]).then(
      () => true,
      () => true,
    )
    const inTime = await Promise.race([closed, sleep(CLOSE_WAIT_MS, false, { ref: false })])
    // Not awaited: with Redis gone BullMQ's disconnect waits for a connection that never comes.
    if (!inTime)
      for (const closing of [this.#worker.disconnect(), this.#queue.disconnect()]) closing.catch(() => undefined)
    for (const connection of this.#connections) connection.disconnect()
  }
}
