import { request } from 'undici'

/** Follow redirects (default), not at all, or only to the URLs this accepts. */
export type Follow = boolean | ((next: URL) => boolean)

interface StoredCookie {
  name: string
  value: string
  origin: string
  path: string
  httpOnly: boolean
  secure: boolean
  sameSite: string | undefined
  expiresAt: number | undefined
}

export interface BrowserResponse {
  status: number
  url: string
  headers: Record<string, string | string[] | undefined>
  body: string
  json<T = unknown>(): T
}

/** One Set-Cookie header, as a browser reads it (attributes case-insensitive). */
function parseSetCookie(header: string, origin: string): StoredCookie {
  const [pair = '', ...attributes] = header.split(';').map((part) => part.trim())
  const eq = pair.indexOf('=')
  const cookie: StoredCookie = {
    name: pair.slice(0, eq),
    value: pair.slice(eq + 1),
    origin,
    path: '/',
    httpOnly: false,
    secure: false,
    sameSite: undefined,
    expiresAt: undefined,
  }
  for (const attribute of attributes) {
    const [rawKey = '', ...rest] = attribute.split('=')
    const key = rawKey.toLowerCase()
    const value = rest.join('=')
    if (key === 'path') cookie.path = value
    else if (key === 'httponly') cookie.httpOnly = true
    else if (key === 'secure') cookie.secure = true
    else if (key === 'samesite') cookie.sameSite = value.toLowerCase()
    else if (key === 'max-age') cookie.expiresAt = Date.now() + Number(value) * 1000
    else if (key === 'expires' && cookie.expiresAt === undefined) cookie.expiresAt = Date.parse(value)
  }
  return cookie
}

/**
 * A tiny browser for the login flow: a cookie jar per origin (Path and expiry honoured) and
 * redirects followed across origins (guild-api → Battle.net → guild-api), as a real one would.
 */
export class Browser {
  readonly cookies: StoredCookie[] = []
  /** Every URL visited by the last `get`, redirects included. */
  trail: string[] = []

  cookie(name: string, origin?: string): StoredCookie | undefined {
    return this.cookies.find((c) => c.name === name && (origin === undefined || c.origin === origin))
  }

  #cookieHeader(url: URL): string | undefined {
    const now = Date.now()
    const send = this.cookies.filter(
      (c) =>
        c.origin === url.origin && url.pathname.startsWith(c.path) && (c.expiresAt === undefined || c.expiresAt > now),
    )
    return send.length === 0 ? undefined : send.map((c) => `${c.name}=${c.value}`).join('; ')
  }

  #store(setCookie: string | string[] | undefined, url: URL): void {
    const headers = setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie]
    for (const header of headers) {
      const cookie = parseSetCookie(header, url.origin)
      const at = this.cookies.findIndex(
        (c) => c.name === cookie.name && c.origin === cookie.origin && c.path === cookie.path,
      )
      if (at >= 0) this.cookies.splice(at, 1)
      if (cookie.expiresAt === undefined || cookie.expiresAt > Date.now()) this.cookies.push(cookie)
    }
  }

  /** Sends one request with the jar's cookies; follows redirects when asked (GET after each 302). */
  async send(
    method: string,
    target: string,
    options: { body?: unknown; headers?: Record<string, string>; follow?: Follow } = {},
  ): Promise<BrowserResponse> {
    let url = new URL(target)
    let currentMethod = method
    let body = options.body
    this.trail = []
    for (let hop = 0; hop < 10; hop++) {
      this.trail.push(url.toString())
      const cookie = this.#cookieHeader(url)
      const headers: Record<string, string> = { ...options.headers }
      if (cookie !== undefined) headers.cookie = cookie
      if (body !== undefined) headers['content-type'] = 'application/json'
      const res = await request(url, {
        method: currentMethod as 'GET',
        headers,
        body: body === undefined ? null : JSON.stringify(body),
      })
      this.#store(res.headers['set-cookie'], url)
      const text = await res.body.text()
      const location = res.headers.location
      const next = typeof location === 'string' ? new URL(location, url) : undefined
      const follow =
        typeof options.follow === 'function' ? next !== undefined && options.follow(next) : options.follow !== false
      if (follow && res.statusCode >= 300 && res.statusCode < 400 && next !== undefined) {
        url = next
        currentMethod = 'GET'
        body = undefined
        continue
      }
      return {
        status: res.statusCode,
        url: url.toString(),
        headers: res.headers,
        body: text,
        json: <T>() => JSON.parse(text) as T,
      }
    }
    throw new Error(`more than 10 redirects from ${target}`)
  }

  async get(
    target: string,
    options: { headers?: Record<string, string>; follow?: Follow } = {},
  ): Promise<BrowserResponse> {
    return await this.send('GET', target, options)
  }
}
