import { PermissionUndecidedError } from './errors.js'

/**
 * Reads permission-service's answers. Anything but the exact shape is undecided: a missing or
 * non-boolean `has_access` must never be read as an allow.
 */
function readHasAccess(value: unknown, where: string): boolean {
  if (value !== null && typeof value === 'object' && 'has_access' in value) {
    const hasAccess = value.has_access
    if (typeof hasAccess === 'boolean') return hasAccess
  }
  throw new PermissionUndecidedError('malformed-answer', `${where} has no boolean has_access`)
}

/** `GET /v1/check` → `{"has_access": bool}`. */
export function readCheckAnswer(body: unknown): boolean {
  return readHasAccess(body, 'the check answer')
}

/** `POST /v1/check/batch` → `{"results": [{"has_access": bool}, …]}`, one per check, in order. */
export function readBatchAnswer(body: unknown, expected: number): boolean[] {
  const results = body !== null && typeof body === 'object' ? (body as { results?: unknown }).results : undefined
  if (!Array.isArray(results)) {
    throw new PermissionUndecidedError('malformed-answer', 'the batch answer has no results array')
  }
  if (results.length !== expected) {
    throw new PermissionUndecidedError(
      'malformed-answer',
      `the batch answer has ${results.length} results for ${expected} checks`,
    )
  }
  return results.map((r, i) => readHasAccess(r, `batch result ${i}`))
}
