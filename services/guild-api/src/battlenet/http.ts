import { setTimeout as sleep } from 'node:timers/promises'
import { Agent, request, type Dispatcher } from 'undici'
import { BattleNetBadAnswerError, BattleNetUnavailableError } from './errors.js'
import type { BnetPriority, BnetQuota } from './quota.js'

export interface BnetHttpOptions {
  /** One attempt, connection and body included. */
  timeoutMs: number
  /** Further attempts after a 429, a 5xx or no answer. */
  maxRetries: number
  /** A Retry-After longer than this is not waited for: the caller gets 503 with it at once. Default 5000. */
  maxRetryAfterMs?: number
  /** First backoff when Battle.net gives no Retry-After; doubles per attempt, with jitter. Default 200. */
  backoffMs?: number
  /** The largest answer read, counted as it streams; beyond it, a 502. Default 4 MiB. */
  maxBodyBytes?: number
  /** Every attempt takes a call from it first; a 429 pauses it. */
  quota?: BnetQuota | undefined
  /** Where an answer dropped for its size is reported. */
  log?: { warn(obj: object, msg: string): void }
}

export interface BnetRequest {
  method: 'GET' | 'POST'
  url: string
  headers?: Record<string, string>
  body?: string
  /** `METHOD /path` for messages: never the query (it may hold a code) nor a header. */
  label: string
  /**
   * `all`: safe to repeat (reads, client credentials). `unsent`: repeat only what Battle.net cannot
   * have acted on (429, refused connection), e.g. redeeming a one-time authorization code.
   */
  retry: 'all' | 'unsent'
  /** Who waits for the quota: a user (default) or a scheduled job. */
  priority?: BnetPriority
}

export interface BnetResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  /** Parsed JSON, or undefined when the body is empty or not JSON. */
  json: unknown
}

/** A roster of 1,000 members is about 250 KB; nothing Battle.net sends us legitimately comes near this. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024
const REFUSED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT'])

/** Seconds from a Retry-After header (delta-seconds or an HTTP date); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value
  if (text === undefined || text.trim() === '') return undefined
  if (/^\s*\d+\s*$/.test(text)) return Number(text)
  const date = Date.parse(text)
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000))
}

function errorCode(err: unknown): string | undefined {
  const code =
    (err as { code?: unknown; cause?: { code?: unknown } } | null)?.code ??
    (err as { cause?: { code?: unknown } })?.cause?.code
  return typeof code === 'string' ? code : undefined
}

/**
 * Battle.net over undici: a deadline per attempt, retries with exponential backoff on 429, 5xx and
 * network failures, honouring Retry-After up to a bound. Whatever it returns is a complete answer;
 * whatever it cannot get becomes a BattleNetUnavailableError (503) after the retries.
 */
export class BnetHttp {
  readonly #agent: Agent
  readonly #timeoutMs: number
  readonly #maxRetries: number
  readonly #maxRetryAfterMs: number
  readonly #backoffMs: number
  readonly #maxBodyBytes: number
  readonly #log: BnetHttpOptions['log']
  readonly #quota: BnetQuota | undefined

  constructor(options: BnetHttpOptions) {
    this.#timeoutMs = options.timeoutMs
    this.#maxRetries = options.maxRetries
    this.#maxRetryAfterMs = options.maxRetryAfterMs ?? 5_000
    this.#backoffMs = options.backoffMs ?? 200
    this.#maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES
    this.#log = options.log
    this.#quota = options.quota
    this.#agent = new Agent({
      connect: { timeout: options.timeoutMs },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connections: 64,
    })
  }

  async send(req: BnetRequest): Promise<BnetResponse> {
    let lastProblem = ''
    let retryAfterS: number | undefined
    for (let attempt = 0; attempt <= this.#maxRetries; attempt++) {
      let waitMs: number
      await this.#quota?.take(req.priority ?? 'interactive')
      try {
        const res = await this.#attempt(req)
        if (res.status !== 429 && res.status < 500) return res
        retryAfterS = parseRetryAfter(res.headers['retry-after'])
        lastProblem = `answered ${res.status}`
        // Battle.net's 429 is for the client id, so it holds for every instance: all of them wait it out.
        if (res.status === 429) await this.#quota?.pause(retryAfterS ?? 1)
        // A 5xx on a one-time request may have consumed it: repeating could only fail differently.
        if (req.retry === 'unsent' && res.status !== 429) break
        waitMs = retryAfterS === undefined ? this.#backoff(attempt) : retryAfterS * 1000
        if (waitMs > this.#maxRetryAfterMs) break
      } catch (err) {
        if (err instanceof BattleNetBadAnswerError) throw err
        const code = errorCode(err)
        lastProblem = code === undefined ? 'did not answer' : `did not answer (${code})`
        if (req.retry === 'unsent' && !REFUSED.has(code ?? '')) break
        retryAfterS = undefined
        waitMs = this.#backoff(attempt)
      }
      if (attempt < this.#maxRetries) await sleep(waitMs)
    }
    throw new BattleNetUnavailableError(`Battle.net ${lastProblem} to ${req.label}; try again later`, retryAfterS)
  }

  async close(): Promise<void> {
    await this.#agent.close()
  }

  /**
   * The body as text, counted while it streams: past the cap the connection is dropped and the answer
   * is a 502. A chunked body has no length to check up front, and `text()` would hold all of it.
   */
  async #readCapped(body: Dispatcher.ResponseData['body'], req: BnetRequest): Promise<string> {
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of body as AsyncIterable<Buffer>) {
      size += chunk.length
      if (size > this.#maxBodyBytes) {
        body.destroy()
        throw this.#tooLarge(req, `sent more than ${this.#maxBodyBytes} bytes`)
      }
      chunks.push(chunk)
    }
    return Buffer.concat(chunks, size).toString('utf8')
  }

  #tooLarge(req: BnetRequest, what: string): BattleNetBadAnswerError {
    this.#log?.warn(
      { request: req.label, maxBodyBytes: this.#maxBodyBytes },
      `Battle.net ${what} to ${req.label}: answer dropped`,
    )
    return new BattleNetBadAnswerError(`Battle.net ${what} to ${req.label}, more than we accept`)
  }

  #backoff(attempt: number): number {
    const base = this.#backoffMs * 2 ** attempt
    return Math.round(base / 2 + Math.random() * base)
  }

  async #attempt(req: BnetRequest): Promise<BnetResponse> {
    const signal = AbortSignal.timeout(this.#timeoutMs)
    let res: Dispatcher.ResponseData
    try {
      res = await request(req.url, {
        method: req.method,
        headers: { accept: 'application/json', ...req.headers },
        body: req.body ?? null,
        dispatcher: this.#agent,
        signal,
      })
    } catch (err) {
      throw signal.aborted ? Object.assign(new Error('timed out'), { code: 'TIMEOUT', cause: err }) : err
    }
    let text: string
    try {
      const length = Number(res.headers['content-length'] ?? 0)
      if (length > this.#maxBodyBytes) {
        res.body.destroy()
        throw this.#tooLarge(req, `announced ${length} bytes`)
      }
      text = await this.#readCapped(res.body, req)
    } catch (err) {
      if (err instanceof BattleNetBadAnswerError) throw err
      throw signal.aborted ? Object.assign(new Error('timed out'), { code: 'TIMEOUT', cause: err }) : err
    }
    let json: unknown
    if (text !== '') {
      try {
        json = JSON.parse(text)
      } catch {
        json = undefined
      }
    }
    return { status: res.statusCode, headers: res.headers, json }
  }
}
