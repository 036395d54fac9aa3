/** guild-api answered with an error status; `message` is its own, for a person. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** From Retry-After, on a 429 or a 503. */
    readonly retryAfterS: number | undefined,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

/** No answer at all: guild-api is down, or the network is. */
export class ApiUnreachableError extends Error {
  constructor(cause: unknown) {
    super('guild-api cannot be reached', { cause })
    this.name = 'ApiUnreachableError'
  }
}

export function retryAfterSeconds(response: Response, message: string): number | undefined {
  const header = response.headers.get('retry-after')
  if (header !== null && /^\d+$/.test(header)) return Number(header)
  // Retry-After is readable cross-origin only when guild-api exposes it; its message says it too.
  const inMessage = /retry in (\d+) ?s|(\d+) seconds?/i.exec(message)
  const seconds = inMessage?.[1] ?? inMessage?.[2]
  return seconds === undefined ? undefined : Number(seconds)
}
