import { Pool } from 'undici'
import { now } from './clock.js'

/** One request's outcome; `status` 0 means no answer (refused, reset, or past the client's timeout). */
export interface Exchange {
  start: number
  end: number
  status: number
  body: string
}

export interface HttpTarget {
  pool: Pool
  close(): Promise<void>
}

/** A keep-alive pool to one origin, as a client in production would hold. */
export function httpTarget(origin: string, connections: number): HttpTarget {
  const pool = new Pool(origin, { connections, pipelining: 1, connect: { timeout: 2_000 } })
  return { pool, close: () => pool.close() }
}

export async function exchange(
  target: HttpTarget,
  options: {
    method?: 'GET' | 'PUT' | 'POST'
    path: string
    headers?: Record<string, string>
    body?: string
    timeoutMs?: number
  },
): Promise<Exchange> {
  const start = now()
  try {
    const res = await target.pool.request({
      method: options.method ?? 'GET',
      path: options.path,
      headers: options.headers ?? {},
      body: options.body ?? null,
      signal: AbortSignal.timeout(options.timeoutMs ?? 2_000),
    })
    const body = await res.body.text()
    return { start, end: now(), status: res.statusCode, body }
  } catch {
    return { start, end: now(), status: 0, body: '' }
  }
}
