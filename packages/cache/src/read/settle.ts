import { LoaderTimeoutError } from '../errors.js'
import type { StaleReason } from '../types.js'
import type { ReadPolicy } from './read-policy.js'

/** A stale copy, when one could be read: `{ value }`, or undefined (none, or Redis could not say). */
export type StaleLookup<T> = () => Promise<{ value: T } | undefined>

/**
 * Waits for `work` (a load, and its commit) under the policy's grace and timeouts:
 * - `work` fails: the stale copy answers if grace allows one and it is there; else the error.
 * - soft timeout (only with grace): the stale copy answers if there; else the wait goes on.
 * - hard timeout: the stale copy if there, else LoaderTimeoutError.
 * In every case `work` goes on: a load that finishes later still stores its value (under its lease).
 * Without grace or timeouts, `work` itself is returned: nothing is added to the common path.
 */
export interface SettleHooks {
  /** A stale copy answered, and why. */
  served(reason: StaleReason): void
  /** The hard timeout passed (whatever answers then). */
  timedOut(): void
}

export function settle<T>(
  key: string,
  work: Promise<T>,
  policy: ReadPolicy,
  stale: StaleLookup<T>,
  hooks: SettleHooks,
): Promise<T> {
  const { grace, softMs, hardMs } = policy
  if (grace === 0 && hardMs === undefined) return work
  return new Promise<T>((resolve, reject) => {
    let done = false
    const timers: NodeJS.Timeout[] = []
    const finish = (answer: () => void) => {
      if (done) return
      done = true
      for (const t of timers) clearTimeout(t)
      answer()
    }
    const fallBack = async (reason: StaleReason, err?: unknown) => {
      const copy = grace > 0 && !done ? await stale().catch(() => undefined) : undefined
      if (copy !== undefined) {
        finish(() => {
          hooks.served(reason)
          resolve(copy.value)
        })
      } else if (reason !== 'soft-timeout') {
        /* eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
           -- the loader's own rejection, passed on unchanged */
        finish(() => reject(err))
      }
    }
    work.then(
      (value) => finish(() => resolve(value)),
      (err: unknown) => void fallBack('error', err),
    )
    if (grace > 0 && softMs !== undefined) timers.push(setTimeout(() => void fallBack('soft-timeout'), softMs))
    if (hardMs !== undefined) {
      timers.push(
        setTimeout(() => {
          hooks.timedOut()
          void fallBack('hard-timeout', new LoaderTimeoutError(key, hardMs))
        }, hardMs),
      )
    }
  })
}
