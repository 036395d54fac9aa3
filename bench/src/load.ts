import { spawn } from 'node:child_process'
import { autocannonBin } from './paths.js'

export interface LoadOptions {
  url: string
  connections: number
  durationS: number
  method?: 'GET' | 'POST'
  headers?: Record<string, string>
  body?: string
  /** Requests per second for all connections together; absent: as fast as possible. */
  rate?: number
}

export interface LoadResult {
  rps: number
  p50_ms: number
  p99_ms: number
  max_ms: number
  errors: number
  non2xx: number
  requests: number
}

/** Runs autocannon in a process of its own (so the load generator never shares an event loop with what it measures). */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const args = [
    autocannonBin,
    '--json',
    '-c',
    String(options.connections),
    '-d',
    String(options.durationS),
    '-m',
    options.method ?? 'GET',
  ]
  for (const [k, v] of Object.entries(options.headers ?? {})) args.push('-H', `${k}=${v}`)
  if (options.body) args.push('-b', options.body)
  if (options.rate) args.push('-R', String(options.rate))
  args.push(options.url)
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    child.once('exit', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`autocannon exited ${code}: ${stderr}`)),
    )
  })
  const r = JSON.parse(out) as {
    requests: { average: number; total: number }
    latency: { p50: number; p99: number; max: number }
    errors: number
    timeouts: number
    non2xx: number
  }
  return {
    rps: Math.round(r.requests.average),
    p50_ms: r.latency.p50,
    p99_ms: r.latency.p99,
    max_ms: r.latency.max,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    requests: r.requests.total,
  }
}
