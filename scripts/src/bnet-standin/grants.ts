import { randomBytes } from 'node:crypto'

/** How long an authorization code may wait before it is exchanged (RFC 6749 suggests at most 10 minutes). */
export const CODE_TTL_MS = 5 * 60_000
/** Battle.net's access tokens last a day less a second. */
export const TOKEN_TTL_S = 86_399

export interface AuthorizationCode {
  clientId: string
  redirectUri: string
  userId: number
  scope: string | undefined
  expiresAt: number
}

export type AccessGrant =
  | { kind: 'user'; userId: number; clientId: string; scope: string | undefined; expiresAt: number }
  | { kind: 'client'; clientId: string; scope: string | undefined; expiresAt: number }

export type GrantRequest =
  | { kind: 'user'; userId: number; clientId: string; scope: string | undefined }
  | { kind: 'client'; clientId: string; scope: string | undefined }

const opaque = (): string => randomBytes(24).toString('base64url')

/** Authorization codes and access tokens, in memory: a restart forgets them, as a test expects. */
export class GrantStore {
  private readonly codes = new Map<string, AuthorizationCode>()
  private readonly tokens = new Map<string, AccessGrant>()

  constructor(private readonly clock: () => number) {}

  issueCode(grant: Omit<AuthorizationCode, 'expiresAt'>): string {
    this.prune()
    const code = opaque()
    this.codes.set(code, { ...grant, expiresAt: this.clock() + CODE_TTL_MS })
    return code
  }

  /** The code's grant, removed so that it can never be used twice; undefined when unknown or expired. */
  takeCode(code: string): AuthorizationCode | undefined {
    const grant = this.codes.get(code)
    this.codes.delete(code)
    return grant && grant.expiresAt > this.clock() ? grant : undefined
  }

  issueToken(grant: GrantRequest): { accessToken: string; expiresIn: number } {
    this.prune()
    const accessToken = opaque()
    this.tokens.set(accessToken, { ...grant, expiresAt: this.clock() + TOKEN_TTL_S * 1000 })
    return { accessToken, expiresIn: TOKEN_TTL_S }
  }

  lookupToken(token: string): AccessGrant | undefined {
    const grant = this.tokens.get(token)
    return grant && grant.expiresAt > this.clock() ? grant : undefined
  }

  private prune(): void {
    const now = this.clock()
    for (const [key, grant] of this.codes) if (grant.expiresAt <= now) this.codes.delete(key)
    for (const [key, grant] of this.tokens) if (grant.expiresAt <= now) this.tokens.delete(key)
  }
}

/** The token of an `Authorization: Bearer …` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')
  return match?.[1]
}
