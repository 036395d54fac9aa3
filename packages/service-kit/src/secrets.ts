import { createHash, timingSafeEqual } from 'node:crypto'

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest()
}

/**
 * Compares two secrets (service tokens, signatures) in constant time.
 *
 * `timingSafeEqual` alone throws on buffers of different lengths, and checking the lengths first
 * would tell an attacker how long the secret is; comparing fixed-size SHA-256 digests avoids both.
 * Anything that is not a string compares unequal rather than throwing, so callers can pass a header
 * value straight in.
 */
export function safeEqual(a: string, b: string): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return false
  return timingSafeEqual(digest(a), digest(b))
}
