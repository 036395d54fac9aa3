import { spawn, type ChildProcess } from 'node:child_process'
import { Redis } from 'ioredis'
import { freePort } from './free-port.js'

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
 * Starts a private `redis-server` on a spare port, for tests that must kill Redis mid-run
 * without disturbing the machine's shared one.
 */
export async function startOwnRedis(port?: number): Promise<OwnRedisServer> {
  const p = port ?? (await freePort())
  let child: ChildProcess | undefined
  const start = async () => {
    child = spawn('redis-server', ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    })
    const probe = new Redis({ port: p, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 })
    for (let i = 0; i < 100; i++) {
      try {
        await probe.connect()
        await probe.ping()
        probe.disconnect()
        return
      } catch {
        probe.disconnect()
        await new Promise((r) => setTimeout(r, 50))
      }
    }
    throw new Error(`redis-server on port ${p} did not start`)
  }
  const kill = async () => {
    const c = child
    if (!c || c.exitCode !== null) return
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve())
      c.kill('SIGKILL')
    })
  }
  await start()
  return { port: p, url: `redis://127.0.0.1:${p}/0`, kill, restart: start, stop: kill }
}
