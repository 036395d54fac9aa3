import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { RosterSyncs } from '../../guilds/scheduled-sync.js'
import { BullSchedule } from '../../guilds/sync-schedule-bullmq.js'
import { LocalSchedule } from '../../guilds/sync-schedule-local.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Manual and scheduled roster syncs, measured alike. */
    rosterSyncs: RosterSyncs
  }
}

/**
 * The share of Battle.net's per-second budget that scheduled sync jobs may start at (the rest: logins, registrations).
 */
const SCHEDULED_SHARE = 0.5

/**
 * Every registered guild's roster synced every ROSTER_SYNC_INTERVAL_S: on BullMQ when Redis is
 * configured (shared by every instance), else on a timer in this process.
 */
async function rosterSyncPlugin(app: FastifyInstance): Promise<void> {
  const config = app.config
  const syncs = new RosterSyncs(
    { db: app.db, cache: app.cache, bnet: app.bnet },
    config.ROSTER_SYNC_INTERVAL_S,
    app.log,
    app.metricsRegistry,
  )
  app.decorate('rosterSyncs', syncs)
  if (!app.bnet.configured) return
  const redis = config.REDIS_URL !== undefined || config.REDIS_CLUSTER_NODES !== undefined
  const schedule = redis
    ? new BullSchedule({
        url: config.REDIS_URL,
        clusterNodes: config.REDIS_CLUSTER_NODES,
        intervalS: config.ROSTER_SYNC_INTERVAL_S,
        jobsPerSecond: Math.floor(config.BNET_RATE_PER_S * SCHEDULED_SHARE),
        syncs,
        log: app.log,
      })
    : new LocalSchedule(syncs, config.ROSTER_SYNC_INTERVAL_S, app.log)
  app.addHook('onClose', async () => await schedule.close())
}

export default fp(rosterSyncPlugin, { name: 'roster-sync', dependencies: ['db', 'cache', 'battlenet'] })
