import type { CacheLogger } from '../types.js'

/**
 * Logs an error at most once per interval per operation, with the number it held back: a Redis outage
 * under load must not write one line per request.
 */
export class RateLimitedLog {
  readonly #last = new Map<string, { at: number; suppressed: number }>()

  constructor(
    private readonly logger: CacheLogger,
    private readonly intervalMs: number,
  ) {}

  error(operation: string, err: unknown, msg: string): void {
    const now = Date.now()
    const entry = this.#last.get(operation)
    if (entry && now - entry.at < this.intervalMs) {
      entry.suppressed++
      return
    }
    const suppressed = entry?.suppressed ?? 0
    this.#last.set(operation, { at: now, suppressed: 0 })
    this.logger.error({ err, operation, suppressed }, msg)
  }
}
