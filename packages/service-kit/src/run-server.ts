import type { FastifyInstance } from 'fastify'
import closeWithGrace from 'close-with-grace'
import { isConfigError } from './config.js'

export interface RunServerOptions {
  /** The service's name, in every line this prints: `guild-api`, `permission-service`. */
  name: string
  /** Builds the app; it registers config (`registerConfig`), whose HOST and PORT are used. */
  build: () => Promise<FastifyInstance>
  /** The port when the config has no PORT. */
  defaultPort: number
  /** How long in-flight requests get after SIGTERM/SIGINT before the process exits 1; default 10 s. */
  closeDelayMs?: number
}

const IDLE_REAP_INTERVAL_MS = 50

interface ListenConfig {
  HOST?: unknown
  PORT?: unknown
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`)
  process.exit(1)
}

/** The line printed when build() fails. Exported for tests. */
export function describeStartupFailure(name: string, error: unknown): string {
  // A config error is the operator's to fix and its message says how; a stack would bury it.
  if (isConfigError(error)) return `${name}: ${error.message}`
  if (error instanceof Error) return `${name}: failed to start: ${error.stack ?? error.message}`
  return `${name}: failed to start: ${String(error)}`
}

/** The line printed when listen() fails, naming the variable to change. Exported for tests. */
export function describeListenFailure(name: string, host: string, port: number, error: unknown): string {
  switch ((error as { code?: unknown } | null)?.code) {
    case 'EADDRINUSE':
      return (
        `${name}: port ${port} on ${host} is already in use (EADDRINUSE): ` +
        'set PORT to a free port or stop the process holding it'
      )
    case 'EACCES':
      return `${name}: not allowed to listen on ${host}:${port} (EACCES): set PORT to a port above 1023`
    case 'EADDRNOTAVAIL':
      return `${name}: HOST ${host} is not an address of this machine (EADDRNOTAVAIL): set HOST, e.g. 127.0.0.1`
    default:
      return describeStartupFailure(name, error)
  }
}

/**
 * Builds the app, listens on HOST:PORT, and stops gracefully: on SIGTERM or SIGINT `app.close()`
 * stops accepting connections and waits for in-flight requests; if that takes longer than
 * `closeDelayMs` the process exits 1. A bad config or a taken port prints one line to stderr and
 * exits 1. Resolves with the listening app.
 */
export async function runServer(options: RunServerOptions): Promise<FastifyInstance> {
  const { name, build, defaultPort, closeDelayMs = 10_000 } = options

  let app: FastifyInstance
  try {
    app = await build()
    await app.ready()
  } catch (error) {
    fail(describeStartupFailure(name, error))
  }

  const config = (app as unknown as { config?: ListenConfig }).config ?? {}
  const host = typeof config.HOST === 'string' ? config.HOST : '127.0.0.1'
  const port = typeof config.PORT === 'number' ? config.PORT : defaultPort

  try {
    await app.listen({ host, port, listenTextResolver: (address) => `${name} listening at ${address}` })
  } catch (error) {
    await app.close().catch(() => undefined)
    fail(describeListenFailure(name, host, port, error))
  }

  closeWithGrace(
    {
      delay: closeDelayMs,
      logger: { error: (message: unknown) => app.log.error(message) },
      onTimeout: (delay) => app.log.error(`${name}: in-flight requests still running after ${delay} ms, exiting`),
    },
    async ({ signal, err }) => {
      if (err !== undefined) app.log.error({ err }, `${name}: uncaught error, closing`)
      else app.log.info(`${name}: ${signal ?? 'exit'} received, closing`)
      // app.close() reaps the keep-alive sockets idle at that moment, but a socket whose request was
      // still running goes idle only later, and a client's pool would then keep the server open
      // until closeDelayMs. Reap again until everything is closed.
      const reaper = setInterval(() => app.server.closeIdleConnections(), IDLE_REAP_INTERVAL_MS)
      try {
        await app.close()
      } finally {
        clearInterval(reaper)
      }
      app.log.info(`${name}: closed`)
    },
  )

  return app
}
