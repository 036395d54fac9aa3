import { DEFAULT_PGLITE_DATA_DIR } from './paths.js'
import { startEmbeddedPostgres } from './pglite-server.js'
import { portFromEnv } from './port-env.js'
import { portInUse } from './port-free.js'

// Run as its own process by `npm start`: PGlite on EMBEDDED_PG_DATA_DIR, served on HOST:EMBEDDED_PG_PORT.
async function main(): Promise<void> {
  const port = portFromEnv(process.env, 'EMBEDDED_PG_PORT', 5433)
  const host = process.env.HOST || '127.0.0.1'
  const dataDir = process.env.EMBEDDED_PG_DATA_DIR || DEFAULT_PGLITE_DATA_DIR
  // Checked before PGlite opens the data directory, so that a second copy never touches the files.
  if (await portInUse(host, port)) {
    throw new Error(`port ${port} on ${host} is already in use: set EMBEDDED_PG_PORT to a free port`)
  }
  const pg = await startEmbeddedPostgres({ dataDir, host, port, maxConnections: 20 })
  const shutdown = (signal: string) => {
    console.log(`embedded-postgres: ${signal}, closing connections and flushing ${dataDir}`)
    pg.stop().then(
      () => {
        console.log('embedded-postgres: stopped')
        process.exit(0)
      },
      (err: unknown) => {
        console.error('embedded-postgres: could not stop cleanly:', err)
        process.exit(1)
      },
    )
  }
  process.once('SIGTERM', shutdown)
  process.once('SIGINT', shutdown)
  console.log(`embedded-postgres ready on ${pg.url} (data: ${dataDir})`)
}

main().catch((err: unknown) => {
  console.error(`embedded-postgres: ${(err as Error).message}`)
  process.exit(1)
})
