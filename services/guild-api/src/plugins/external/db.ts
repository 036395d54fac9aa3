import { setTimeout as sleep } from 'node:timers/promises'
import { createDb, migrate, type DbHandle } from '@guild/db'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

declare module 'fastify' {
  interface FastifyInstance {
    db: DbHandle
  }
}

/** How long start-up waits for the database to answer before it gives up with a message. */
const WAIT_FOR_DATABASE_MS = 20_000

/**
 * The database, migrated before anything is served: guild-api owns the schema (permission-service
 * waits for it). A database that does not answer within 20 s stops the start with a message.
 */
async function dbPlugin(app: FastifyInstance): Promise<void> {
  const db = createDb({ url: app.config.DATABASE_URL, max: app.config.DATABASE_POOL_MAX, applicationName: 'guild-api' })
  try {
    const giveUpAt = Date.now() + WAIT_FOR_DATABASE_MS
    while (!(await db.ping(1_000))) {
      if (Date.now() >= giveUpAt)
        throw new Error(`the database at DATABASE_URL did not answer within ${WAIT_FOR_DATABASE_MS / 1000} s`)
      app.log.warn('waiting for the database to answer')
      await sleep(500)
    }
    await migrate(db)
  } catch (err) {
    await db.close(1)
    throw err
  }
  app.decorate('db', db)
  app.addHook('onClose', async () => await db.close())
}

export default fp(dbPlugin, { name: 'db', dependencies: ['@fastify/env'] })
