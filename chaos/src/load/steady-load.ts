import { now } from './clock.js'
import { exchange, httpTarget, type HttpTarget } from './http.js'

/** One request of a stream: when it left, when it came back, and how. `allowed` is a check's has_access. */
export interface Sample {
  start: number
  end: number
  status: number
  allowed?: boolean
  /** A non-2xx answer's `message` (the contract's error body), cut short. */
  reason?: string
}

export interface StreamSpec {
  origin: string
  /** Requests per second, sent on schedule whether or not earlier ones have answered (an open loop). */
  rate: number
  /** The path of the n-th request. */
  path: (n: number) => string
  headers: Record<string, string>
  /** Reads `has_access` from 200 answers (permission-service checks). */
  readsCheck?: boolean
  connections?: number
  timeoutMs?: number
}

export interface RunningStream {
  samples: Sample[]
  /** Stops sending and resolves once every request sent has answered or timed out. */
  stop(): Promise<Sample[]>
}

const TICK_MS = 5

/**
 * A fixed-rate load: an open loop, so a server that slows down or hangs does not slow the load down
 * with it (a closed loop would hide exactly what a fault does).
 */
export function startStream(spec: StreamSpec): RunningStream {
  const target: HttpTarget = httpTarget(spec.origin, spec.connections ?? 64)
  const samples: Sample[] = []
  const inFlight = new Set<Promise<void>>()
  const began = now()
  let sent = 0
  const fire = () => {
    const due = Math.floor(((now() - began) / 1000) * spec.rate)
    while (sent < due) {
      const n = sent++
      const p = exchange(target, {
        path: spec.path(n),
        headers: spec.headers,
        timeoutMs: spec.timeoutMs ?? 2_000,
      }).then((x) => {
        const sample: Sample = { start: x.start, end: x.end, status: x.status }
        if (spec.readsCheck && x.status === 200) sample.allowed = readHasAccess(x.body)
        if (x.status < 200 || x.status > 299) sample.reason = readMessage(x.body)
        samples.push(sample)
      })
      inFlight.add(p)
      void p.finally(() => inFlight.delete(p))
    }
  }
  const timer = setInterval(fire, TICK_MS)
  return {
    samples,
    stop: async () => {
      clearInterval(timer)
      await Promise.all([...inFlight])
      await target.close()
      return samples
    },
  }
}

export function readHasAccess(body: string): boolean | undefined {
  try {
    const value = (JSON.parse(body) as { has_access?: unknown }).has_access
    return typeof value === 'boolean' ? value : undefined
  } catch {
    return undefined
  }
}

function readMessage(body: string): string | undefined {
  try {
    const message = (JSON.parse(body) as { message?: unknown }).message
    return typeof message === 'string' ? message.slice(0, 60) : undefined
  } catch {
    return undefined
  }
}
