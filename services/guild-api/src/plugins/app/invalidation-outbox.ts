import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { OutboxDrainer } from '../../invalidation/outbox-drainer.js'

/**
 * Runs the invalidation outbox's drainer (src/invalidation/) in this instance while it serves. Without
 * Redis nothing is recorded and nothing drained: rows another instance (with Redis) left are its to
 * deliver, not this one's to discard.
 */
async function invalidationOutboxPlugin(app: FastifyInstance): Promise<void> {
  if (!app.cache.enabled) return
  const drainer = new OutboxDrainer({
    db: app.db,
    cache: app.cache,
    log: app.log,
    intervalMs: app.config.CACHE_OUTBOX_INTERVAL_MS,
  })
  app.addHook('onReady', async () => drainer.start())
  // Before the database and the cache close under it.
  app.addHook('preClose', async () => await drainer.stop())
}

export default fp(invalidationOutboxPlugin, { name: 'invalidation-outbox', dependencies: ['cache', 'db'] })
