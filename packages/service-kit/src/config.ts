import { isIP } from 'node:net'
import fastifyEnv, { type FastifyEnvOptions } from '@fastify/env'
import type { FastifyInstance } from 'fastify'

/**
 * The environment variables both services read (CONTRACT.md "Configuration"), as JSON-schema
 * fragments for @fastify/env. A service composes them with its own in `configSchema()` and loads
 * them with `registerConfig()`, which knows the custom formats used here (postgres-url, redis-url,
 * host-port-list) and turns a validation failure into a `ConfigError` naming every bad variable.
 *
 * A fragment's `description` doubles as the hint in that error ("expected …"), so a person reading
 * the message knows what to set without opening the code.
 */

export type NodeEnv = 'development' | 'production' | 'test'
export type LogLevelName = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'

/** What `configSchema()` validates; a service's own config type extends it. */
export interface SharedConfig {
  NODE_ENV: NodeEnv
  LOG_LEVEL: LogLevelName
  HOST: string
  PORT: number
  DATABASE_URL: string
  DATABASE_POOL_MAX: number
  REDIS_URL?: string
  REDIS_CLUSTER_NODES?: string
  SERVICE_TOKEN?: string
}

export type SchemaFragment = Record<string, unknown> & { description?: string }

export interface ConfigSchema {
  type: 'object'
  required: string[]
  properties: Record<string, SchemaFragment>
}

export const LOG_LEVELS: readonly LogLevelName[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']

export const envFragments = {
  NODE_ENV: {
    type: 'string',
    enum: ['development', 'production', 'test'],
    default: 'development',
    description: 'development, production or test',
  },
  LOG_LEVEL: {
    type: 'string',
    enum: [...LOG_LEVELS],
    default: 'info',
    description: `a pino level: ${LOG_LEVELS.join(', ')}`,
  },
  HOST: { type: 'string', minLength: 1, default: '127.0.0.1', description: 'the address to bind, e.g. 127.0.0.1' },
  DATABASE_URL: {
    type: 'string',
    format: 'postgres-url',
    description: 'a postgres:// or postgresql:// URL',
  },
  DATABASE_POOL_MAX: {
    type: 'integer',
    minimum: 1,
    maximum: 100,
    default: 10,
    description: 'an integer from 1 to 100',
  },
  REDIS_URL: { type: 'string', format: 'redis-url', description: 'a redis:// or rediss:// URL' },
  REDIS_CLUSTER_NODES: {
    type: 'string',
    format: 'host-port-list',
    description: 'host:port pairs separated by commas, e.g. 10.0.0.1:7000,10.0.0.2:7000',
  },
  SERVICE_TOKEN: { type: 'string', minLength: 16, description: 'a shared secret of at least 16 characters' },
} as const satisfies Record<string, SchemaFragment>

/** PORT differs per service (3000, 3001), so its fragment is made with the service's default. */
export function portFragment(defaultPort: number): SchemaFragment {
  return {
    type: 'integer',
    minimum: 0,
    maximum: 65535,
    default: defaultPort,
    description: 'a TCP port from 0 to 65535; 0 picks a free one',
  }
}

export interface ConfigSchemaOptions {
  defaultPort: number
  /** The service's own variables, added to (or overriding) the shared ones. */
  properties?: Record<string, SchemaFragment>
  /** The service's own required variables; DATABASE_URL is always required. */
  required?: string[]
}

/** The shared variables plus a service's own, as one schema for `registerConfig()`. */
export function configSchema(options: ConfigSchemaOptions): ConfigSchema {
  return {
    type: 'object',
    required: [...new Set(['DATABASE_URL', ...(options.required ?? [])])],
    properties: { ...envFragments, PORT: portFragment(options.defaultPort), ...options.properties },
  }
}

function parsesWithProtocol(value: string, protocols: readonly string[]): boolean {
  if (!URL.canParse(value)) return false
  return protocols.includes(new URL(value).protocol)
}

/** `host:port,host:port` → its nodes; throws on an entry that is not `host:port` with a valid port. */
export function parseClusterNodes(value: string): Array<{ host: string; port: number }> {
  return value.split(',').map((entry, index) => {
    const match = /^(\[[0-9A-Fa-f:.]+\]|[^\s:,[\]]+):(\d{1,5})$/.exec(entry.trim())
    const port = match ? Number(match[2]) : NaN
    if (!match || port < 1 || port > 65535) {
      throw new ConfigError(`REDIS_CLUSTER_NODES entry ${index + 1} is not host:port with a port from 1 to 65535`, [
        'REDIS_CLUSTER_NODES',
      ])
    }
    return { host: match[1]!.replace(/^\[|\]$/g, ''), port }
  })
}

function isHostPortList(value: string): boolean {
  try {
    return parseClusterNodes(value).length > 0
  } catch {
    return false
  }
}

/** The formats the fragments use; add them to any Ajv that validates these schemas. */
export const configFormats: Record<string, (value: string) => boolean> = {
  'postgres-url': (value) => parsesWithProtocol(value, ['postgres:', 'postgresql:']),
  'redis-url': (value) => parsesWithProtocol(value, ['redis:', 'rediss:']),
  'host-port-list': isHostPortList,
}

/**
 * The configuration is unusable. Its message names every bad variable and never holds a value
 * (a bad DATABASE_URL may still carry a password), so it is safe to print and to log.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'
  /** The variables at fault, in schema order. */
  readonly variables: string[]

  constructor(message: string, variables: string[]) {
    super(message)
    this.variables = variables
  }
}

export function isConfigError(error: unknown): error is ConfigError {
  // By name as well: a second copy of this package in node_modules makes instanceof fail.
  return error instanceof ConfigError || (error instanceof Error && error.name === 'ConfigError')
}

interface AjvErrorLike {
  keyword: string
  instancePath: string
  params: Record<string, unknown>
  message?: string
}

function isAjvErrorList(value: unknown): value is AjvErrorLike[] {
  return Array.isArray(value) && value.every((e) => typeof e === 'object' && e !== null && 'keyword' in e)
}

/**
 * One sentence per bad variable, built from Ajv's error objects rather than its text, so that no
 * value can slip in (Ajv only holds values with `verbose`, which env-schema does not set, but this
 * is the promise the contract makes, so it is kept here rather than trusted to a default).
 */
export function describeConfigErrors(errors: AjvErrorLike[], schema: ConfigSchema): ConfigError {
  const problems = new Map<string, string>()
  for (const error of errors) {
    const variable =
      error.keyword === 'required'
        ? String(error.params.missingProperty)
        : decodeURIComponent(error.instancePath.replace(/^\//, '').split('/')[0] ?? '')
    if (variable === '' || problems.has(variable)) continue
    const hint = schema.properties[variable]?.description
    const expected = hint === undefined ? '' : ` (expected ${hint})`
    let problem: string
    switch (error.keyword) {
      case 'required':
        problem = `${variable} is required but not set${expected}`
        break
      case 'enum':
        problem = `${variable} must be one of: ${(error.params.allowedValues as unknown[]).join(', ')}`
        break
      case 'format':
      case 'pattern':
        problem = `${variable} is not valid${expected}`
        break
      default:
        problem = `${variable} ${error.message ?? 'is not valid'}${expected}`
    }
    problems.set(variable, problem)
  }
  const variables = [...problems.keys()]
  return new ConfigError(`invalid configuration: ${[...problems.values()].join('; ')}`, variables)
}

export interface RegisterConfigOptions {
  schema: ConfigSchema
  /** Where the variables come from; default `process.env`. Tests pass a plain object. */
  env?: Record<string, string | undefined>
}

/**
 * Registers @fastify/env (so the values are on `app.config`) and returns them. Await it: a bad
 * variable rejects with a `ConfigError` before anything else starts.
 *
 * Reads `env` only (no `.env` file, no merging with process.env behind a test's back). An empty
 * value counts as unset, since `REDIS_URL=` in a compose file means "no Redis", not a bad URL.
 */
export async function registerConfig<T extends object = SharedConfig>(
  app: FastifyInstance,
  options: RegisterConfigOptions,
): Promise<T> {
  const data: Record<string, string> = {}
  for (const [key, value] of Object.entries(options.env ?? process.env)) {
    if (value !== undefined && value !== '') data[key] = value
  }
  const envOptions: FastifyEnvOptions = {
    // env-schema sets additionalProperties on the schema it is given: hand it a copy.
    schema: { ...options.schema, properties: { ...options.schema.properties } },
    data,
    env: false,
    dotenv: false,
    ajv: {
      customOptions(ajv) {
        for (const [name, validate] of Object.entries(configFormats)) ajv.addFormat(name, { type: 'string', validate })
        return ajv
      },
    },
  }
  try {
    await app.register(fastifyEnv, envOptions)
  } catch (error) {
    const errors = (error as { errors?: unknown }).errors
    if (isAjvErrorList(errors)) throw describeConfigErrors(errors, options.schema)
    throw error
  }
  return (app as unknown as { config: T }).config
}

/**
 * The token permission-service accepts and guild-api sends when SERVICE_TOKEN is unset outside
 * production, so a developer can call the service by hand (README "The development service token"). Public by
 * design: it is refused in production.
 */
export const DEV_SERVICE_TOKEN = 'guild-dev-service-token-not-for-production'

const warnedLoggers = new WeakSet<object>()

export interface WarnLogger {
  warn(message: string): void
}

/** Whether a host name or address can only be reached from this machine: `localhost`, 127.0.0.0/8, `::1`. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.toLowerCase().replace(/^\[|\]$/g, '')
  if (bare === 'localhost' || bare.endsWith('.localhost') || bare === '::1') return true
  const v4 = bare.startsWith('::ffff:') ? bare.slice('::ffff:'.length) : bare
  return isIP(v4) === 4 && v4.startsWith('127.')
}

/** What says a process serves more than its own machine, where public development secrets must not be used. */
export interface ExposureSettings {
  NODE_ENV?: string
  /** The bind address; unset counts as the default, 127.0.0.1. */
  HOST?: string | undefined
  /** guild-api's external URL, when the service has one. */
  PUBLIC_URL?: string | undefined
}

/**
 * Why this process must not run on public development secrets (`NODE_ENV=production`, `PUBLIC_URL is
 * https`, `HOST=0.0.0.0 is not a loopback address`), or undefined when it serves this machine alone.
 * NODE_ENV alone is not enough: a deployment that forgets it is still reachable by others.
 */
export function exposureReason(config: ExposureSettings): string | undefined {
  if (config.NODE_ENV === 'production') return 'NODE_ENV=production'
  if (
    config.PUBLIC_URL !== undefined &&
    URL.canParse(config.PUBLIC_URL) &&
    new URL(config.PUBLIC_URL).protocol === 'https:'
  ) {
    return 'PUBLIC_URL is https'
  }
  if (config.HOST !== undefined && config.HOST !== '' && !isLoopbackHost(config.HOST))
    return `HOST=${config.HOST} is not a loopback address`
  return undefined
}

/**
 * SERVICE_TOKEN, or the well-known development token when it is unset and the process serves its own
 * machine alone. Wherever others can reach it (`exposureReason`) an unset (or development) token is a
 * `ConfigError`: a guessable secret there would let anyone ask permission-service for answers.
 */
export function resolveServiceToken(
  config: ExposureSettings & { SERVICE_TOKEN?: string | undefined },
  log: WarnLogger,
): string {
  const token = config.SERVICE_TOKEN
  const exposed = exposureReason(config)
  if (exposed !== undefined && (token === undefined || token === '')) {
    throw new ConfigError(
      `invalid configuration: SERVICE_TOKEN is required when ${exposed} ` +
        '(set it to the same secret of at least 16 characters in both services)',
      ['SERVICE_TOKEN'],
    )
  }
  if (exposed !== undefined && token === DEV_SERVICE_TOKEN) {
    throw new ConfigError(
      `invalid configuration: SERVICE_TOKEN is the public development token, refused when ${exposed}; ` +
        'set a secret of your own',
      ['SERVICE_TOKEN'],
    )
  }
  if (token !== undefined && token !== '') return token
  if (!warnedLoggers.has(log)) {
    warnedLoggers.add(log)
    log.warn(
      `SERVICE_TOKEN is not set: using the public development token "${DEV_SERVICE_TOKEN}"; ` +
        'set SERVICE_TOKEN before anyone else can reach this service',
    )
  }
  return DEV_SERVICE_TOKEN
}
