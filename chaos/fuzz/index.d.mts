/** Types of the fuzz model (index.mjs), for the TypeScript tests that import it. */

export interface FuzzRequest {
  method: string
  url: string
  headers: Record<string, string>
  payload?: string
}

export interface FuzzResponse {
  statusCode: number
  headers: Record<string, string | string[] | number | undefined>
  body: string
}

/** A route as `app.routeCatalog` (@guild/service-kit) lists it. */
export interface FuzzRoute {
  method: string
  url: string
  schema?: unknown
  config?: unknown
  bodyLimit?: number | undefined
}

export interface FuzzTarget {
  name: string
  inject(request: FuzzRequest): Promise<FuzzResponse>
  /** Ids that exist, so that some requests get past 404. */
  knownIds: number[]
  /** Values for properties of these names (`realm`, `name`, …), so that some requests find real data. */
  hints?: Record<string, unknown[]>
  /** Working credentials (bearer tokens, or cookie values under `cookieName`). */
  credentials: string[]
  cookieName?: string
  /** A credential a request may use up (a logout). */
  freshCredential?: () => Promise<string>
  consumesCredential?: (route: FuzzRoute) => boolean
  origins: { public: string; allowed?: string[] }
  /** A genuine OAuth state and the cookie that goes with it; with `complete`, Battle.net's code too. */
  startLogin?: (options: {
    redirect?: string | undefined
    complete: boolean
  }) => Promise<{ state: string; cookie: string; code?: string | undefined }>
}

export interface Violation {
  key: string
  ttlMs: number
  reason: string
}

export interface RouteResult {
  service: string
  route: string
  seed: number
  tried: number
  statuses: Record<string, number>
  s2xx: number
  s3xx: number
  s4xx: number
  s5xx: number
  crashes: number
  badShapes: number
  keysOutside: Violation[]
  failures: Array<{ kind: string; detail: string; plan: string }>
  ms: number
}

export interface FuzzRun {
  service: string
  seed: number
  runs: number
  routes: RouteResult[]
}

/** An ioredis client, as far as the key check uses it. */
export interface ScanningRedis {
  scan(cursor: string, countToken: 'COUNT', count: number): Promise<[string, string[]]>
  pipeline(): { pttl(key: string): unknown; exec(): Promise<Array<[Error | null, unknown]> | null> }
}

export declare const UNROUTED: FuzzRoute
export declare const BODY_METHODS: ReadonlySet<string>
export declare const KEY_PATTERNS: RegExp[]
export declare const MAX_TTL_S: number
export declare const BULLMQ_STRUCTURES: RegExp

export declare function routesToFuzz(catalog: readonly FuzzRoute[]): FuzzRoute[]
export declare function routeName(route: FuzzRoute): string
export declare function fuzzRoutes(options: {
  target: FuzzTarget
  routes: readonly FuzzRoute[]
  runs: number
  seed: number
  redis?: ScanningRedis | undefined
  timeoutMs?: number
  maxExamples?: number
  onRoute?: (result: RouteResult) => void
}): Promise<FuzzRun>
export declare function failureReport(run: FuzzRun): string[]

export declare function keyViolation(key: string, ttlMs: number): string | undefined
export declare function scanKeyViolations(redis: ScanningRedis): Promise<Violation[]>

export declare function requestPlans(
  route: FuzzRoute,
  target: FuzzTarget,
): import('fast-check').Arbitrary<Record<string, unknown>>
export declare function toRequest(
  route: FuzzRoute,
  plan: Record<string, unknown>,
  target: FuzzTarget,
): Promise<FuzzRequest>
export declare function bodyText(body: unknown): string | undefined
export declare function describePlan(plan: unknown): string

export declare function guildApiTarget(options: {
  app: { inject(request: FuzzRequest): Promise<FuzzResponse> }
  sessions: string[]
  mintSession: () => Promise<string>
  publicUrl: string
  allowedOrigins?: string[]
  knownIds: number[]
  loginHint?: string
}): FuzzTarget
export declare function permissionServiceTarget(options: {
  app: { inject(request: FuzzRequest): Promise<FuzzResponse> }
  serviceToken: string
  knownIds: number[]
}): FuzzTarget

export declare function startLogin(
  app: { inject(request: FuzzRequest | { url: string; headers?: Record<string, string> }): Promise<FuzzResponse> },
  options: { loginHint: string; publicUrl: string; redirect?: string | undefined; complete: boolean },
): Promise<{ state: string; cookie: string; code?: string | undefined }>
export declare function loginThroughBattleNet(
  app: { inject(request: FuzzRequest | { url: string; headers?: Record<string, string> }): Promise<FuzzResponse> },
  loginHint: string,
  publicUrl: string,
): Promise<string>
