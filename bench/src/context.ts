import { randomBytes } from 'node:crypto'
import { freePort, startServiceProcess, type ServiceProcess } from '@guild/testing'
import { benchData, type BenchData } from './fixture.js'

/** What every scenario gets from the runner. */
export interface BenchContext {
  quick: boolean
  token: string
  data: BenchData
  /** Starts a Node server file on a free port (stopped by the runner at the end); `env` may depend on the port. */
  launch(
    file: string,
    env: Record<string, string> | ((port: number) => Record<string, string>),
    readyPath?: string,
  ): Promise<ServiceProcess>
  /** The environment a permission-service needs here, plus `extra`. */
  serviceEnv(extra?: Record<string, string>): Record<string, string>
  log: (line: string) => void
}

export interface LoadFigures {
  rps: number
  p50_ms: number
  p99_ms: number
  max_ms: number
  errors: number
  ratio: number | null
  rss_mb: number
  [more: string]: unknown
}

/** BENCH_NODE_ARGS: flags for the servers' node, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile them. */
const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter((a) => a !== '')

/**
 * A fresh Postgres database and Redis database, a service token, and a launcher whose servers
 * `stopStarted` stops (newest first); `data.cleanup()` drops the databases.
 */
export async function benchContext(
  quick: boolean,
): Promise<{ ctx: BenchContext; data: BenchData; stopStarted: () => Promise<void> }> {
  const started: ServiceProcess[] = []
  const data = await benchData()
  const token = randomBytes(24).toString('hex')
  const ctx: BenchContext = {
    quick,
    token,
    data,
    launch: async (file, env, readyPath) => {
      const port = await freePort()
      const p = await startServiceProcess(file, port, typeof env === 'function' ? env(port) : env, readyPath, nodeArgs)
      started.push(p)
      return p
    },
    serviceEnv: (extra = {}) => ({
      DATABASE_URL: data.pg.url,
      SERVICE_TOKEN: token,
      CACHE_BUS_CHANNEL: data.redis.channel,
      DATABASE_POOL_MAX: '10',
      ...extra,
    }),
    log: (line) => console.error(line),
  }
  const stopStarted = async () => {
    for (const p of started.splice(0).reverse()) await p.stop()
  }
  return { ctx, data, stopStarted }
}
