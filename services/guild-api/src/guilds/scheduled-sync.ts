import { asc, guilds, sql, type DbHandle } from '@guild/db'
import type { FastifyBaseLogger } from 'fastify'
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import { findGuild } from './guild-queries.js'
import type { GuildDeps } from './registration.js'
import { GuildGoneError, syncGuild, syncGuildIfDue, type SyncResult } from './roster-sync.js'
import type { Guild } from '@guild/db'

export type ScheduledOutcome = 'synced' | 'skipped' | 'gone'

/**
 * What a scheduled run and a manual sync share, whichever engine runs the schedule (BullMQ with Redis,
 * a timer in this process without): the list of guilds to sync, one guild's sync, and the metrics.
 */
export class RosterSyncs {
  readonly #done: Counter<'trigger' | 'result'>
  readonly #duration: Histogram<'trigger'>

  constructor(
    private readonly deps: GuildDeps,
    private readonly intervalS: number,
    private readonly log: FastifyBaseLogger,
    registry: Registry,
  ) {
    this.#done = new Counter({
      name: 'guild_api_roster_syncs_total',
      help: 'Roster syncs from Battle.net, by trigger (manual, scheduled) and result (synced, skipped, gone, failed)',
      labelNames: ['trigger', 'result'] as const,
      registers: [registry],
    })
    this.#duration = new Histogram({
      name: 'guild_api_roster_sync_duration_seconds',
      help: 'How long a roster sync took (Battle.net included), by trigger',
      labelNames: ['trigger'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    })
    const db = deps.db
    new Gauge({
      name: 'guild_api_roster_oldest_age_seconds',
      help: 'Age of the least recently synced roster (0 without guilds)',
      registers: [registry],
      async collect() {
        this.set(await oldestRosterAge(db).catch(() => Number.NaN))
      },
    })
    new Gauge({
      name: 'guild_api_guilds_missing_from_bnet',
      help:
        'Registered guilds Battle.net answered 404 for at their last sync ' +
        '(kept as they were until an operator acts)',
      registers: [registry],
      async collect() {
        this.set(await missingGuilds(db).catch(() => Number.NaN))
      },
    })
  }

  /** Every registered guild, least recently synced first. */
  async guildIds(): Promise<number[]> {
    const rows = await this.deps.db.db
      .select({ id: guilds.id })
      .from(guilds)
      .orderBy(sql`${guilds.syncedAt} asc nulls first`, asc(guilds.id))
    return rows.map((row) => row.id)
  }

  /** POST /guilds/{id}/sync. */
  async manual(guild: Guild): Promise<SyncResult> {
    return await this.#measured('manual', async () => {
      const result = await syncGuild(this.deps, guild)
      return { outcome: 'synced' as const, result }
    }).then(({ result }) => result)
  }

  /**
   * One guild's scheduled sync. Skipped when it is gone from our database, being synced elsewhere, or
   * synced within the last half interval (a manual sync, or a retried job of this interval). A guild
   * Battle.net no longer knows is marked and reported, and not retried before the next interval.
   */
  async scheduled(guildId: number): Promise<ScheduledOutcome> {
    const { outcome } = await this.#measured('scheduled', async () => {
      const guild = await findGuild(this.deps.db, guildId)
      if (guild === undefined) return { outcome: 'skipped' as const }
      try {
        const freshSince = new Date(Date.now() - (this.intervalS * 1000) / 2)
        const result = await syncGuildIfDue(this.deps, guild, { freshSince })
        return { outcome: result === undefined ? ('skipped' as const) : ('synced' as const), result }
      } catch (err) {
        if (!(err instanceof GuildGoneError)) throw err
        this.log.warn(
          { guild_id: guild.id, region: guild.region, realm: guild.realmSlug, name: guild.nameSlug },
          `scheduled sync: ${err.message}; guild ${guild.id} is marked (bnet_missing_since) ` +
            'and its members keep their last known ranks until an operator acts',
        )
        return { outcome: 'gone' as const }
      }
    })
    return outcome
  }

  async #measured<T extends { outcome: ScheduledOutcome }>(
    trigger: 'manual' | 'scheduled',
    run: () => Promise<T>,
  ): Promise<T> {
    const stop = this.#duration.startTimer({ trigger })
    try {
      const done = await run()
      this.#done.inc({ trigger, result: done.outcome })
      if (done.outcome !== 'skipped') stop()
      return done
    } catch (err) {
      this.#done.inc({ trigger, result: err instanceof GuildGoneError ? 'gone' : 'failed' })
      stop()
      throw err
    }
  }
}

async function oldestRosterAge(db: DbHandle): Promise<number> {
  const [row] = await db.db
    .select({
      age: sql<string | null>`extract(epoch from now() - min(coalesce(${guilds.syncedAt}, ${guilds.createdAt})))`,
    })
    .from(guilds)
  return row?.age == null ? 0 : Math.max(0, Number(row.age))
}

async function missingGuilds(db: DbHandle): Promise<number> {
  const [row] = await db.db
    .select({ n: sql<string>`count(*)` })
    .from(guilds)
    .where(sql`${guilds.bnetMissingSince} is not null`)
  return Number(row?.n ?? 0)
}
