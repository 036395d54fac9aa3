import { freePort } from './free-port.js'
import { redisProcess } from './redis-process.js'

export interface OwnRedisServer {
  port: number
  url: string
  /** Kills the server abruptly (SIGKILL), as a crash would. */
  kill(): Promise<void>
  /** Starts it again on the same port after `kill()`. */
  restart(): Promise<void>
  /** Stops it for good. */
  stop(): Promise<void>
}

/**
 * Starts a private `redis-server` on a spare port, for tests that must kill Redis mid-run or configure it
 * (`extraArgs`, e.g. `['--maxmemory', '4mb', '--maxmemory-policy', 'allkeys-lru']`) without disturbing
 * the machine's shared one.
 */
export async function startOwnRedis(port?: number, extraArgs: readonly string[] = []): Promise<OwnRedisServer> {
  const p = port ?? (await freePort())
  const server = redisProcess(p, extraArgs)
  await server.start()
  return { port: p, url: `redis://127.0.0.1:${p}/0`, kill: server.kill, restart: server.start, stop: server.kill }
}
