import { Cluster, Redis } from 'ioredis'
import { createCache, type Cache, type CacheLogger } from '@guild/cache'
import { assertRedisUrl, mastersOf, parseClusterNodes, type RedisClient } from '@guild/cache/admin'
import { withinDeadline } from '@guild/resilience'
import type { RedisTarget } from './args.js'
import { CliError, reasonOf } from './errors.js'

const HINT_SINGLE = 'check REDIS_URL / --url'
const HINT_CLUSTER = 'check REDIS_CLUSTER_NODES / --cluster'

export function hintFor(target: RedisTarget): string {
  return target.kind === 'single' ? HINT_SINGLE : HINT_CLUSTER
}

export function describeTarget(target: RedisTarget): string {
  return target.kind === 'single' ? redactedUrl(target.url) : `cluster ${target.nodes}`
}

/** A URL as it may be printed: without its password. */
function redactedUrl(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    return url
  }
}

/** Checks the target's form before any connection, with a message that names where it came from. */
export function checkTarget(target: RedisTarget | undefined): RedisTarget {
  if (!target)
    throw new CliError(
      'no Redis to talk to: set REDIS_URL (or REDIS_CLUSTER_NODES), ' +
        'or pass --url redis://host:port/db (or --cluster host:port,...)',
    )
  try {
    if (target.kind === 'single') assertRedisUrl(target.url)
    else parseClusterNodes(target.nodes)
  } catch (err) {
    throw new CliError(`${target.source} is not usable: ${reasonOf(err)}; ${hintFor(target)}`)
  }
  return target
}

/**
 * A connection for the CLI's own reads (INFO, SCAN, GET, PTTL): nothing retried, every command bounded
 * by `commandTimeout`, and the connect itself bounded, so an unreachable or hanging Redis is an error
 * within `timeoutMs`, never a hang.
 */
export async function connectAdmin(target: RedisTarget, timeoutMs: number): Promise<RedisClient> {
  const client: RedisClient =
    target.kind === 'single'
      ? new Redis(target.url, {
          lazyConnect: true,
          connectTimeout: timeoutMs,
          commandTimeout: timeoutMs,
          maxRetriesPerRequest: 0,
          enableOfflineQueue: false,
          retryStrategy: () => null,
        })
      : new Cluster(parseClusterNodes(target.nodes), {
          lazyConnect: true,
          enableOfflineQueue: false,
          clusterRetryStrategy: () => null,
          slotsRefreshTimeout: timeoutMs,
          redisOptions: { connectTimeout: timeoutMs, commandTimeout: timeoutMs, maxRetriesPerRequest: 0 },
        })
  // connect() rejects with a bare "Connection is closed"; the event carries the cause (ECONNREFUSED, …).
  let cause: unknown
  client.on('error', (err: unknown) => {
    cause ??= err
  })
  try {
    await withinDeadline(client.connect(), timeoutMs, () => new Error(`no answer within ${timeoutMs} ms`))
  } catch (err) {
    client.disconnect()
    throw new CliError(
      `cannot reach Redis at ${describeTarget(target)}: ${reasonOf(cause ?? err)}; ${hintFor(target)}`,
      1,
      { cause: err },
    )
  }
  return client
}

/** The masters to read INFO, DBSIZE and SCAN from: every master of a cluster, or the one server. */
export { mastersOf }

/**
 * The cache itself, for purges: so invalidateGuild/invalidateUser/deletePattern keep their guarantees
 * (leases deleted, indexes read, the bus told and its acks awaited). Its bound is the CLI's timeout
 * rather than the services' 50 ms: a person waits for a purge, a request does not.
 */
export async function openCache(
  target: RedisTarget,
  timeoutMs: number,
  busChannel: string,
  logger: CacheLogger,
): Promise<Cache> {
  let cache: Cache
  try {
    cache = createCache({
      ...(target.kind === 'single' ? { url: target.url } : { clusterNodes: target.nodes }),
      busChannel,
      operationTimeoutMs: timeoutMs,
      logger,
    })
  } catch (err) {
    throw new CliError(`cannot use the cache: ${reasonOf(err)}`, 1, { cause: err })
  }
  await cache.ready
  if (cache.state() !== 'up') {
    await cache.close()
    throw new CliError(`cannot reach Redis at ${describeTarget(target)} (${cache.state()}); ${hintFor(target)}`)
  }
  return cache
}

/** `INFO section` of one node as a map. */
export async function infoOf(node: Redis, section: string): Promise<Map<string, string>> {
  const text = await node.info(section)
  const map = new Map<string, string>()
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':')
    if (colon > 0 && !line.startsWith('#')) map.set(line.slice(0, colon), line.slice(colon + 1))
  }
  return map
}

/** The sum of a numeric INFO field over nodes (absent counts 0). */
export function sumField(infos: Map<string, string>[], field: string): number {
  return infos.reduce((sum, info) => sum + (Number(info.get(field)) || 0), 0)
}
