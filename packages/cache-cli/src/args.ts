import { parseArgs } from 'node:util'
import { isValidId, ID_RULE } from '@guild/contract'
import { UsageError } from './errors.js'

export const USAGE = `guild-cache: look into and manage the Redis cache of guild-api and permission-service

usage: guild-cache <command> [options]

commands
  stats                 hit rate per namespace (from the services' /metrics), Redis memory, eviction
                        policy and evicted keys, keys per namespace (sampled by SCAN), connected clients
  get KEY               a key's value and TTL
  ttl KEY               a key's TTL in seconds
  purge guild G         counts the guild's entries, indexed or not (SCAN of permission:G:* and
                        guild:G:*, and its index), and removes nothing (a dry run); with --yes,
                        invalidateGuild(G) and those patterns deleted; the bus tells every service
  purge user B          the same for the user's profile, sessions and permission entries
  purge pattern P       counts the keys matching the glob P and deletes nothing (a dry run);
                        with --yes, deletes them (SCAN + UNLINK; the cache's own cache:* keys are spared)
  warm guild G          fills the permission entries of G's members for its tools, by asking
                        permission-service (POST /v1/check/batch), which stores its real answers
  watch                 hit rate and ops/s, updated every second (Ctrl-C stops)

options
  --url URL             Redis, redis://host:port/db (default: REDIS_URL)
  --cluster NODES       Redis Cluster, host:port,host:port,... (default: REDIS_CLUSTER_NODES, which wins
                        over REDIS_URL as in the services)
  --json                one JSON document on stdout (watch: one per update), no progress bars
  --timeout MS          bound on connecting and on each Redis or HTTP call (default 3000)
  --bus-channel NAME    the invalidation bus channel (default: CACHE_BUS_CHANNEL, else cache:bus)
  -h, --help            this text

  stats, watch   --metrics URL,...   metrics endpoints (default: guild-api's and permission-service's
                                     local ones, http://127.0.0.1:3000/metrics,http://127.0.0.1:3001/metrics;
                                     "none" for none)
  stats          --sample N          keys to sample by SCAN (default 10000), scaled up by DBSIZE
  watch          --interval MS       between updates (default 1000); --count N stops after N updates
  purge          --yes               really delete
  warm           --members B,B,...   the members' bnet_ids     --tools T,T,...   the tools
                 --from-db           read members and tools from the database (DATABASE_URL or
                                     --database-url): the only command that knows the schema
                 --permission-service-url URL (default: PERMISSION_SERVICE_URL, else http://127.0.0.1:3001)
                 --service-token TOKEN        (default: SERVICE_TOKEN)
`

const options = {
  url: { type: 'string' },
  cluster: { type: 'string' },
  json: { type: 'boolean' },
  timeout: { type: 'string' },
  'bus-channel': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  metrics: { type: 'string' },
  sample: { type: 'string' },
  interval: { type: 'string' },
  count: { type: 'string' },
  yes: { type: 'boolean' },
  members: { type: 'string' },
  tools: { type: 'string' },
  'from-db': { type: 'boolean' },
  'database-url': { type: 'string' },
  'permission-service-url': { type: 'string' },
  'service-token': { type: 'string' },
} as const

export type Env = Record<string, string | undefined>

/** Where Redis is, and which flag or variable said so (named in errors). */
export type RedisTarget =
  { kind: 'single'; url: string; source: string } | { kind: 'cluster'; nodes: string; source: string }

export interface Invocation {
  command: string | undefined
  args: string[]
  help: boolean
  json: boolean
  timeoutMs: number
  busChannel: string
  redis: RedisTarget | undefined
  metrics: string[]
  sample: number
  intervalMs: number
  count: number | undefined
  yes: boolean
  members: string | undefined
  tools: string | undefined
  fromDb: boolean
  databaseUrl: string | undefined
  permissionServiceUrl: string
  serviceToken: string | undefined
}

export const DEFAULT_METRICS = ['http://127.0.0.1:3000/metrics', 'http://127.0.0.1:3001/metrics']

export function parseInvocation(argv: readonly string[], env: Env): Invocation {
  let parsed
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true })
  } catch (err) {
    throw new UsageError(`${(err as Error).message}; see guild-cache --help`)
  }
  const { values, positionals } = parsed
  const [command, ...args] = positionals
  if (values.url !== undefined && values.cluster !== undefined)
    throw new UsageError('give --url or --cluster, not both')
  return {
    command,
    args,
    help: values.help === true,
    json: values.json === true,
    timeoutMs: wholeNumber(values.timeout, 3_000, '--timeout', 1),
    busChannel: values['bus-channel'] ?? nonEmpty(env.CACHE_BUS_CHANNEL) ?? 'cache:bus',
    redis: redisTarget(values.url, values.cluster, env),
    metrics: metricsUrls(values.metrics),
    sample: wholeNumber(values.sample, 10_000, '--sample', 1),
    intervalMs: wholeNumber(values.interval, 1_000, '--interval', 50),
    count: values.count === undefined ? undefined : wholeNumber(values.count, 0, '--count', 1),
    yes: values.yes === true,
    members: values.members,
    tools: values.tools,
    fromDb: values['from-db'] === true,
    databaseUrl: values['database-url'] ?? nonEmpty(env.DATABASE_URL),
    permissionServiceUrl:
      values['permission-service-url'] ?? nonEmpty(env.PERMISSION_SERVICE_URL) ?? 'http://127.0.0.1:3001',
    serviceToken: values['service-token'] ?? nonEmpty(env.SERVICE_TOKEN),
  }
}

/** Flags first; then the variables, REDIS_CLUSTER_NODES winning over REDIS_URL as in the services. */
function redisTarget(url: string | undefined, cluster: string | undefined, env: Env): RedisTarget | undefined {
  if (cluster !== undefined) return { kind: 'cluster', nodes: cluster, source: '--cluster' }
  if (url !== undefined) return { kind: 'single', url, source: '--url' }
  const envCluster = nonEmpty(env.REDIS_CLUSTER_NODES)
  if (envCluster) return { kind: 'cluster', nodes: envCluster, source: 'REDIS_CLUSTER_NODES' }
  const envUrl = nonEmpty(env.REDIS_URL)
  if (envUrl) return { kind: 'single', url: envUrl, source: 'REDIS_URL' }
  return undefined
}

function metricsUrls(spec: string | undefined): string[] {
  if (spec === undefined) return DEFAULT_METRICS
  if (spec.trim() === 'none') return []
  const urls = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  for (const url of urls) {
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol))
      throw new UsageError(`--metrics: ${JSON.stringify(url)} is not an http(s) URL`)
  }
  return urls
}

function wholeNumber(text: string | undefined, fallback: number, name: string, min: number): number {
  if (text === undefined) return fallback
  const n = Number(text)
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min)
    throw new UsageError(`${name} must be a whole number >= ${min}, got ${JSON.stringify(text)}`)
  return n
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value
}

/** An id argument (guild_id, bnet_id) as the contract defines ids. */
export function idArgument(text: string | undefined, what: string): number {
  const n = text !== undefined && /^\d{1,16}$/.test(text) ? Number(text) : NaN
  if (!isValidId(n)) throw new UsageError(`${what} must be ${ID_RULE}, got ${JSON.stringify(text ?? '')}`)
  return n
}
