/** An OAuth error answer as RFC 6749 shapes it: `{"error", "error_description"}`. */
export class OAuthError extends Error {
  constructor(
    readonly statusCode: number,
    readonly error: string,
    description: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(description)
    this.name = 'OAuthError'
  }
}

/** An API error answer as Battle.net shapes it: `{"code", "type", "detail"}`. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    detail: string,
  ) {
    super(detail)
    this.name = 'ApiError'
  }
}

export function apiErrorBody(statusCode: number, detail: string): { code: number; type: string; detail: string } {
  return { code: statusCode, type: `BLZWEBAPI${String(statusCode).padStart(8, '0')}`, detail }
}

/** A single string parameter; a repeated or non-string one is a 400 naming it. */
export function stringParam(source: Record<string, unknown>, name: string): string | undefined {
  const value = source[name]
  if (value === undefined || value === '') return undefined
  if (typeof value !== 'string') throw new OAuthError(400, 'invalid_request', `${name} must be given once, as a string`)
  return value
}
