/** Ids (`guild_id`, `bnet_id`, `character_id`) are positive integers below 2^53 (contract). */
export function isValidId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0
}

/**
 * An id written as text: plain decimal digits, no sign, no exponent, no leading zero, at most 16 digits
 * (the pattern lets some 16-digit values above 2^53 through: `parseId` refuses those).
 */
export const ID_PATTERN = /^[1-9][0-9]{0,15}$/

/**
 * Parses an id from text (a path or query parameter) or a number. Only plain decimal digits
 * without a leading zero are taken, so "1e3", "0x10", " 7" and "7.0" are refused, not coerced.
 */
export function parseId(value: unknown): number | undefined {
  if (typeof value === 'number') return isValidId(value) ? value : undefined
  if (typeof value !== 'string' || !ID_PATTERN.test(value)) return undefined
  const n = Number(value)
  return isValidId(n) ? n : undefined
}

export const ID_RULE = 'a positive integer below 2^53'
