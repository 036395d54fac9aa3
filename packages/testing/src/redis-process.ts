import { spawn, type ChildProcess } from 'node:child_process'
import { Redis } from 'ioredis'

/** A `redis-server` child process on 127.0.0.1, without persistence, that answers PING once `start` resolves. */
export interface RedisProcess {
  readonly port: number
  start: () => Promise<void>
  /** SIGKILL, as a crash would; resolves once the process has exited. */
  kill: () => Promise<void>
}

export function redisProcess(port: number, extraArgs: readonly string[] = []): RedisProcess {
  let child: ChildProcess | undefined
  return {
    port,
    start: async () => {
      const started = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extraArgs],
        {
          stdio: 'ignore',
        },
      )
      child = started
      // A test process that dies (a timeout, a crash) must not leave its servers behind.
      const killOnExit = () => started.kill('SIGKILL')
      process.once('exit', killOnExit)
      started.once('exit', () => process.removeListener('exit', killOnExit))
      const probe = new Redis({
        port,
        host: '127.0.0.1',
        lazyConnect: true,
        retryStrategy: () => null,
        maxRetriesPerRequest: 0,
      })
      // Refused connections are expected until the server listens: connect() rejects, nothing to report.
      probe.on('error', () => {})
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
      throw new Error(`redis-server on port ${port} did not start (is redis-server on PATH?)`)
    },
    kill: async () => {
      const c = child
      if (!c || c.exitCode !== null || c.signalCode !== null) return
      await new Promise<void>((resolve) => {
        c.once('exit', () => resolve())
        c.kill('SIGKILL')
      })
    },
  }
}
