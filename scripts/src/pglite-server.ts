import { mkdir } from 'node:fs/promises'
import { PGlite } from '@electric-sql/pglite'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'
import { urlHost } from './url-host.js'

export interface EmbeddedPostgresOptions {
  /** Where PGlite keeps its files; kept across restarts. */
  dataDir: string
  host: string
  port: number
  /** Wire-protocol connections served at once; each postgres.js client should use a pool of 1. */
  maxConnections?: number
}

export interface EmbeddedPostgres {
  url: string
  port: number
  dataDir: string
  /** Closes every connection, then PGlite, which flushes its data to dataDir. */
  stop(): Promise<void>
}

/** The data directory cannot be opened by PGlite. */
export class EmbeddedPostgresError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'EmbeddedPostgresError'
  }
}

/** Opens PGlite on dataDir and serves it over the Postgres wire protocol on host:port. */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  await mkdir(options.dataDir, { recursive: true })
  let db: PGlite
  try {
    db = await PGlite.create(options.dataDir)
  } catch (err) {
    throw new EmbeddedPostgresError(
      `PGlite could not open its data directory ${options.dataDir} (${(err as Error).message}); ` +
        'if it is damaged, delete it (or set EMBEDDED_PG_DATA_DIR elsewhere) and the database starts empty',
      { cause: err },
    )
  }
  const server = new PGLiteSocketServer({
    db,
    host: options.host,
    port: options.port,
    maxConnections: options.maxConnections ?? 20,
  })
  server.addEventListener('error', (event) => {
    console.error('embedded-postgres: socket server error:', (event as CustomEvent).detail)
  })
  try {
    await server.start()
  } catch (err) {
    await db.close()
    throw err
  }
  let stopping: Promise<void> | undefined
  return {
    url: `postgres://postgres@${urlHost(options.host)}:${options.port}/postgres`,
    port: options.port,
    dataDir: options.dataDir,
    stop: () =>
      (stopping ??= (async () => {
        await server.stop()
        await db.close()
      })()),
  }
}
