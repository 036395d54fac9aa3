import type { FastifyBaseLogger } from 'fastify'
import type { RosterSyncs } from './scheduled-sync.js'

/**
 * The schedule without Redis (the embedded `npm start`, one process): a timer runs the same sweep,
 * and the same per-guild sync as BullMQ's jobs, one guild after another. Overlapping sweeps are not
 * started; a failure waits for the next interval.
 */
export class LocalSchedule {
  readonly #timer: NodeJS.Timeout
  #running: Promise<void> | undefined
  #closed = false

  constructor(
    private readonly syncs: RosterSyncs,
    intervalS: number,
    private readonly log: FastifyBaseLogger,
  ) {
    this.#timer = setInterval(() => void this.runNow(), intervalS * 1000)
    this.#timer.unref()
  }

  /** Starts a sweep unless one is running; resolves when it ends. */
  runNow(): Promise<void> {
    this.#running ??= this.#sweep().finally(() => {
      this.#running = undefined
    })
    return this.#running
  }

  async #sweep(): Promise<void> {
    let ids: number[]
    try {
      ids = await this.syncs.guildIds()
    } catch (err) {
      this.log.warn({ err }, 'roster sync: could not list the guilds')
      return
    }
    for (const guildId of ids) {
      if (this.#closed) return
      await this.syncs
        .scheduled(guildId)
        .catch((err: unknown) => this.log.warn({ err, guild_id: guildId }, 'scheduled roster sync failed'))
    }
  }

  async close(): Promise<void> {
    this.#closed = true
    clearInterval(this.#timer)
    await this.#running
  }
}
