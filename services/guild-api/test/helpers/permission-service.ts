import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { freePort } from '@guild/testing'

export const PERMISSION_SERVICE_SERVER = fileURLToPath(
  new URL('../../../permission-service/dist/server.js', import.meta.url),
)

export interface PermissionServiceOptions {
  databaseUrl: string
  redisUrl?: string
  serviceToken: string
  busChannel?: string
  /** Extra variables, e.g. PERMISSION_L1_TTL_MS. */
  env?: Record<string, string>
  readyTimeoutMs?: number
  /** Default: a free one. */
  port?: number
  /** Keep every line it writes, not just the last 8 kB (a test that reads its whole log). */
  keepAllOutput?: boolean
}

export interface RunningPermissionService {
  url: string
  port: number
  /** Stops it (SIGTERM, then SIGKILL after 5 s) and waits for the exit. */
  stop(): Promise<void>
  /** Starts it again on the same port after stop(). */
  restart(): Promise<void>
  /** The last 8 kB it wrote to stdout and stderr (for failure messages). */
  output(): string
  /** Everything it wrote to stdout and stderr since it started (with `keepAllOutput`). */
  allOutput(): string
}

async function waitReady(url: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`permission-service exited with ${child.exitCode}:\n${output()}`)
    try {
      const res = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(1_000) })
      if (res.status === 200) return
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`permission-service was not ready within ${timeoutMs} ms:\n${output()}`)
}

/**
 * The real permission-service (its compiled server.js) as a child process on a free port, sharing the
 * test's database (which guild-api migrates), Redis and bus channel. Resolves once GET /health/ready
 * answers 200, that is once the schema is there.
 */
export async function startPermissionService(options: PermissionServiceOptions): Promise<RunningPermissionService> {
  if (!existsSync(PERMISSION_SERVICE_SERVER)) {
    throw new Error(
      `${PERMISSION_SERVICE_SERVER} does not exist: ` +
        'build permission-service first (npx tsc -b services/permission-service)',
    )
  }
  const port = options.port ?? (await freePort())
  const url = `http://127.0.0.1:${port}`
  let child: ChildProcess
  let output = ''
  let all = ''
  const start = async () => {
    output = ''
    child = spawn(process.execPath, [PERMISSION_SERVICE_SERVER], {
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        HOST: '127.0.0.1',
        PORT: String(port),
        DATABASE_URL: options.databaseUrl,
        DATABASE_POOL_MAX: '4',
        SERVICE_TOKEN: options.serviceToken,
        ...(options.redisUrl === undefined ? {} : { REDIS_URL: options.redisUrl }),
        ...(options.busChannel === undefined ? {} : { CACHE_BUS_CHANNEL: options.busChannel }),
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8_000)
      if (options.keepAllOutput) all += chunk.toString()
    }
    child.stdout?.on('data', keep)
    child.stderr?.on('data', keep)
    await waitReady(url, child, () => output, options.readyTimeoutMs ?? 20_000)
  }
  const stop = async () => {
    const c = child
    if (c.exitCode !== null || c.signalCode !== null) return
    await new Promise<void>((resolve) => {
      const killer = setTimeout(() => c.kill('SIGKILL'), 5_000)
      c.once('exit', () => {
        clearTimeout(killer)
        resolve()
      })
      c.kill('SIGTERM')
    })
  }
  await start()
  return { url, port, stop, restart: start, output: () => output, allOutput: () => all }
}
