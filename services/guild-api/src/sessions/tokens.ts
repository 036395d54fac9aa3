import { randomBytes } from 'node:crypto'

/** 32 random bytes, base64url: 43 characters. */
export function newSessionToken(): string {
  return randomBytes(32).toString('base64url')
}

/** Only a string that could be one of our tokens is worth a hash and a lookup. */
export function looksLikeSessionToken(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{43}$/.test(value)
}
