import { hash, timingSafeEqual } from 'node:crypto'

// One-shot `crypto.hash` (Node >= 20.12): a third of the cost of createHash().update().digest(),
// which matters on a check made for every guild-api request.
function digest(value: string): Buffer {
  return hash('sha256', value, 'buffer')
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

/**
 * A checker for one fixed secret (a service token): its digest is computed once, so each call hashes
 * only what was presented. Same guarantees as `safeEqual`.
 */
export function secretVerifier(expected: string): (presented: unknown) => boolean {
  if (typeof expected !== 'string' || expected.length === 0)
    throw new TypeError('secretVerifier: the expected secret must be a non-empty string')
  const expectedDigest = digest(expected)
  return (presented) => typeof presented === 'string' && timingSafeEqual(digest(presented), expectedDigest)
}
