import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { CheckCommand } from '../../check/check-command.js'
import { LEASE_TTL_MS } from '../../config.js'

declare module 'fastify' {
  interface FastifyInstance {
    checker: CheckCommand
  }
}

/** The check command over the cache and the database, its counters in the service's metrics. */
async function checkerPlugin(app: FastifyInstance): Promise<void> {
  const checker = new CheckCommand(app.cache, app.db, app.metricsRegistry, {
    l1TtlMs: app.config.PERMISSION_L1_TTL_MS,
    l1Max: app.config.PERMISSION_L1_MAX,
    dbTimeoutMs: app.config.PERMISSION_DB_TIMEOUT_MS,
    refillMax: app.config.PERMISSION_REFILL_MAX,
    leaseTtlMs: LEASE_TTL_MS,
  })
  app.decorate('checker', checker)
  app.schemaReady.then(
    () => checker.db.markSchemaReady(),
    () => undefined,
  )
}

export default fp(checkerPlugin, { name: 'checker', dependencies: ['db', 'cache', '@guild/service-kit/metrics'] })
