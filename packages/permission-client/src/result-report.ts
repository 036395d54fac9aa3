import type { PermissionResultEvent } from './client-types.js'
import type { UndecidedReason } from './errors.js'

/** `onResult`, called once per public call with its own duration; a throwing callback is ignored. */
export class ResultReport {
  constructor(private readonly onResult: ((event: PermissionResultEvent) => void) | undefined) {}

  decided(op: PermissionResultEvent['op'], items: number, allowed: number, startedAt: number): void {
    this.#emit({ op, items, allowed, denied: items - allowed, durationMs: performance.now() - startedAt })
  }

  undecided(op: PermissionResultEvent['op'], items: number, reason: UndecidedReason, startedAt: number): void {
    this.#emit({ op, items, allowed: 0, denied: 0, undecided: reason, durationMs: performance.now() - startedAt })
  }

  #emit(event: PermissionResultEvent): void {
    try {
      this.onResult?.(event)
    } catch {
      // Metrics must never change a permission answer.
    }
  }
}
