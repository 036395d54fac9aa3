import type { FixtureFault } from './fixtures.js'

/** What an injected fault makes of one request: wait, then maybe answer a status instead. */
export interface FaultEffect {
  fault: FixtureFault
  delayMs: number
  status: number | undefined
  retryAfter: number | undefined
}

/**
 * Picks the fault that applies to a request: the first in the list whose path prefix matches and
 * whose `times` are not used up. Uses are counted per fault, keyed by its JSON, so that editing a
 * fault in the file starts its count afresh while leaving the others' counts alone.
 */
export class FaultInjector {
  private readonly used = new Map<string, number>()

  pick(faults: FixtureFault[] | undefined, path: string): FaultEffect | undefined {
    for (const fault of faults ?? []) {
      if (!path.startsWith(fault.path)) continue
      const key = JSON.stringify(fault)
      const count = this.used.get(key) ?? 0
      if (fault.times !== undefined && count >= fault.times) continue
      this.used.set(key, count + 1)
      return { fault, delayMs: fault.delay_ms ?? 0, status: fault.status, retryAfter: fault.retry_after }
    }
    return undefined
  }
}
