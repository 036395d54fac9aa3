import { createDb, waitForSchema, type DbHandle } from '@guild/db'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

declare module 'fastify' {
  interface FastifyInstance {
    db: DbHandle
    /** Resolves once every committed migration is applied (guild-api runs them; this service only reads). */
    schemaReady: Promise<void>
  }
}

/**
 * The database, read-only from here. The service boots and serves whether or not the database is up
 * or migrated: until the schema is there, checks are undecided (503) and readiness says so.
 */
async function dbPlugin(app: FastifyInstance): Promise<void> {
  const db = createDb({
    url: app.config.DATABASE_URL,
    max: app.config.DATABASE_POOL_MAX,
    applicationName: 'permission-service',
  })
  app.decorate('db', db)
  let closing = false
  app.decorate(
    'schemaReady',
    (async () => {
      for (;;) {
        try {
          await waitForSchema(db, { timeoutMs: 30_000, intervalMs: 250 })
          return
        } catch (err) {
          if (closing) throw err
          app.log.warn({ err }, 'still waiting for guild-api to migrate the database')
        }
      }
    })(),
  )
  app.schemaReady.catch(() => undefined)
  app.addHook('onClose', async () => {
    closing = true
    await db.close()
  })
}

export default fp(dbPlugin, { name: 'db', dependencies: ['@fastify/env'] })
