import { CircuitOpenError, DeadlineExceededError } from '@guild/resilience'
import { PermissionUndecidedError } from './errors.js'

/**
 * Why an exchange gave no answer, as the caller learns it. Inputs are validated before anything is
 * sent, so every failure of an exchange is undecided: never an allow, never a deny.
 */
export function undecidedOf(err: unknown): PermissionUndecidedError {
  if (err instanceof PermissionUndecidedError) return err
  if (err instanceof CircuitOpenError) return new PermissionUndecidedError('circuit-open', err.message, { cause: err })
  if (err instanceof DeadlineExceededError) return new PermissionUndecidedError('timeout', err.message, { cause: err })
  return new PermissionUndecidedError('unreachable', err instanceof Error ? err.message : String(err), { cause: err })
}
