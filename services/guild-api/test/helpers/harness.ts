import {
  claimRedisDb,
  createTestDatabase,
  freePort,
  startTcpProxy,
  type TcpProxy,
  type TestPgDb,
  type TestRedisDb,
} from '@guild/testing'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import type { Test } from 'tap'
import { buildApp } from '../../src/app.js'
import { Browser } from './browser.js'
import { startPermissionService, type RunningPermissionService } from './permission-service.js'
import { startStandin, type Standin, type StandinOptions } from './standin.js'

export const SERVICE_TOKEN = 'guild-api-test-service-token-0123456789'

export interface HarnessOptions {
  /**
   * `claim` (default): a Redis database index of this file's own; `none`: no REDIS_URL; or a URL (a private
   * redis-server).
   */
  redis?: 'claim' | 'none' | { url: string }
  /** Start the real permission-service (default true). */
  permissionService?: boolean
  /** More variables for guild-api. */
  env?: Record<string, string>
  /** More variables for permission-service. */
  permissionEnv?: Record<string, string>
  /** Put a TCP proxy between guild-api and permission-service, to hang or cut the link. */
  permissionProxy?: boolean
  /** Put a TCP proxy between guild-api and Postgres, to cut the link. */
  databaseProxy?: boolean
  /** Log everything (trace) and keep it: guild-api's lines in `logs`, permission-service's in `perm.allOutput()`. */
  captureLogs?: boolean
}

export interface Client {
  get(path: string): Promise<LightMyRequestResponse>
  post(path: string, body?: unknown): Promise<LightMyRequestResponse>
  put(path: string, body: unknown): Promise<LightMyRequestResponse>
}

export interface Harness {
  app: FastifyInstance
  /** guild-api's listening URL (also its PUBLIC_URL). */
  url: string
  /** The environment guild-api was built with (a second instance can be built from it). */
  env: Record<string, string>
  standin: Standin
  pg: TestPgDb
  redis: TestRedisDb | undefined
  perm: RunningPermissionService | undefined
  /** The proxy in front of permission-service, with `permissionProxy`. */
  permProxy: TcpProxy | undefined
  /** The proxy between guild-api and Postgres, with `databaseProxy`. */
  dbProxy: TcpProxy | undefined
  /** Logs in through the whole browser flow; resolves with the session token. */
  login(loginHint: string): Promise<string>
  /** Requests with `Authorization: Bearer <token>` (none: no session). */
  as(token: string | undefined): Client
  inject(options: InjectOptions): Promise<LightMyRequestResponse>
  /** guild-api's log lines, with `captureLogs`. */
  logs: string[]
}

/**
 * One guild-api on a free port (PUBLIC_URL = its address) over a fresh Postgres database, its own
 * Redis database index and bus channel, a Battle.net stand-in on its own fixture copy, and the real
 * permission-service sharing all three. Everything is torn down with the test.
 */
export async function startHarness(t: Test, options: HarnessOptions = {}): Promise<Harness> {
  const pg = await createTestDatabase('guildapi')
  t.teardown(() => pg.drop())
  const pgUrl = new URL(pg.url)
  const dbProxy = options.databaseProxy ? await startTcpProxy(Number(pgUrl.port || 5432), pgUrl.hostname) : undefined
  if (dbProxy) {
    t.teardown(() => dbProxy.close())
    pgUrl.port = String(dbProxy.port)
  }
  const redis = options.redis === undefined || options.redis === 'claim' ? await claimRedisDb() : undefined
  if (redis) t.teardown(() => redis.release())
  const redisUrl = redis?.url ?? (typeof options.redis === 'object' ? options.redis.url : undefined)
  const busChannel = redis?.channel ?? `cache:test:bus:${process.pid}:${Math.random().toString(36).slice(2)}`
  // As on Blizzard's developer portal: one region, and the client's one redirect URI guild-api's
  // callback, registered below once the port is known (the stand-in reads the list it was given).
  const redirectUris: string[] = []
  const standin = await startStandin({
    redirectUris,
    region: (options.env?.BNET_REGION ?? 'us') as StandinOptions['region'],
  })
  t.teardown(() => standin.close())

  // Chosen after the stand-in listens, so that freePort cannot hand out its port again.
  const [port, permPort] = [await freePort(), await freePort()]
  const url = `http://127.0.0.1:${port}`
  redirectUris.push(`${(options.env?.PUBLIC_URL ?? url).replace(/\/+$/, '')}/auth/callback`)
  const permProxy = options.permissionProxy ? await startTcpProxy(permPort) : undefined
  if (permProxy) t.teardown(() => permProxy.close())
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.GUILD_API_TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: pgUrl.toString(),
    DATABASE_POOL_MAX: '4',
    ...(redisUrl === undefined ? {} : { REDIS_URL: redisUrl }),
    CACHE_BUS_CHANNEL: busChannel,
    SERVICE_TOKEN,
    PERMISSION_SERVICE_URL: `http://127.0.0.1:${permProxy?.port ?? permPort}`,
    // Generous: a loaded CI machine must not turn a slow answer into a 503 the test did not ask for.
    PERMISSION_DEADLINE_MS: '3000',
    PUBLIC_URL: url,
    BNET_CLIENT_ID: 'standin',
    BNET_CLIENT_SECRET: 'standin-secret',
    BNET_OAUTH_URL: standin.url,
    BNET_API_URL: standin.url,
    BNET_TIMEOUT_MS: '1000',
    BNET_MAX_RETRIES: '2',
    ...options.env,
  }
  const logs: string[] = []
  if (options.captureLogs) env.LOG_LEVEL = 'trace'
  const logStream = options.captureLogs ? { write: (line: string) => void logs.push(line) } : undefined
  const app = await buildApp({ env, bnetBackoffMs: 10, ...(logStream ? { logStream } : {}) })
  t.teardown(() => app.close())
  await app.listen({ host: '127.0.0.1', port })

  let perm: RunningPermissionService | undefined
  if (options.permissionService !== false) {
    perm = await startPermissionService({
      databaseUrl: pg.url,
      ...(redisUrl === undefined ? {} : { redisUrl }),
      serviceToken: SERVICE_TOKEN,
      busChannel,
      port: permPort,
      env: {
        PERMISSION_DB_TIMEOUT_MS: '3000',
        ...(options.captureLogs ? { LOG_LEVEL: 'trace' } : {}),
        ...options.permissionEnv,
      },
      ...(options.captureLogs ? { keepAllOutput: true } : {}),
    })
    const running = perm
    t.teardown(() => running.stop())
  }

  const inject = async (o: InjectOptions) => await app.inject(o)
  const as = (token: string | undefined): Client => {
    const headers = token === undefined ? {} : { authorization: `Bearer ${token}` }
    return {
      get: (path) => inject({ method: 'GET', url: path, headers }),
      post: (path, body) =>
        inject({ method: 'POST', url: path, headers, ...(body === undefined ? {} : { payload: body as object }) }),
      put: (path, body) => inject({ method: 'PUT', url: path, headers, payload: body as object }),
    }
  }
  const login = async (loginHint: string) => {
    const browser = new Browser()
    const res = await browser.get(`${url}/auth/login?login_hint=${encodeURIComponent(loginHint)}`)
    const sid = browser.cookie('sid', url)
    if (res.status !== 200 || sid === undefined)
      throw new Error(`login as ${loginHint} ended at ${res.url} with ${res.status}: ${res.body}`)
    return sid.value
  }
  return { app, url, env, standin, pg, redis, perm, permProxy, dbProxy, login, as, inject, logs }
}

/** Registers Horde Vanguard (9001) as Thrall, its guild master; resolves with Thrall's token. */
export async function registerHordeVanguard(h: Harness): Promise<string> {
  const thrall = await h.login('Thrall#1234')
  const res = await h.as(thrall).post('/guilds', { realm: 'area-52', name: 'Horde Vanguard' })
  if (res.statusCode !== 201) throw new Error(`registering Horde Vanguard answered ${res.statusCode}: ${res.body}`)
  return thrall
}

/** Every key of the harness's Redis database matching a glob (SCAN, as product code would). */
export async function keysMatching(h: Harness, pattern = '*'): Promise<string[]> {
  const redis = h.redis?.redis
  if (redis === undefined) return []
  const found: string[] = []
  let cursor = '0'
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500)
    cursor = next
    found.push(...batch)
  } while (cursor !== '0')
  return found
}
