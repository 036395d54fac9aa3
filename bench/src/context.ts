import type { BenchData } from './fixture.js'
import type { ServiceProcess } from '@guild/testing'

/** What every scenario gets from the runner. */
export interface BenchContext {
  quick: boolean
  token: string
  data: BenchData
  /** Starts a Node server file on a free port (stopped by the runner at the end); `env` may depend on the port. */
  launch(file: string, env: Record<string, string> | ((port: number) => Record<string, string>), readyPath?: string): Promise<ServiceProcess>
  /** The environment a permission-service needs here, plus `extra`. */
  serviceEnv(extra?: Record<string, string>): Record<string, string>
  log(line: string): void
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
