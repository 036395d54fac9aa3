import { Cluster, Redis, type ClusterNode, type RedisOptions } from 'ioredis'
import { CacheInputError } from '../errors.js'

export type RedisClient = Redis | Cluster

/**
 * ioredis, set up so that no caller can hang on it: commands fail at once while disconnected (no
 * offline queue) instead of queueing until Redis returns, and reconnection goes on forever in the
 * background with a capped backoff, so caching resumes by itself.
 */
const baseOptions: RedisOptions = {
  enableOfflineQueue: false,
  enableAutoPipelining: true,
  // A GET goes out at once. An auto-pipeline builds a Pipeline per batch (with our scripts attached)
  // and holds the next batch until the last one's replies are in; the hot reads are single GETs
  // (shared by single-flight), so they paid that for a batch of one (figures: docs/performance.md).
  // Reads of many keys are one MGET (read/); writes and scripts still pipeline.
  autoPipeliningIgnoredCommands: ['get'],
  maxRetriesPerRequest: 0,
  connectTimeout: 1_000,
  // A Redis without `INFO` permissions (managed offerings) must still work.
  enableReadyCheck: true,
}

export function parseClusterNodes(spec: string): ClusterNode[] {
  const nodes = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((hostPort) => {
      const m = /^([^:\s]+):(\d{1,5})$/.exec(hostPort)
      const port = m ? Number(m[2]) : NaN
      if (!m || port < 1 || port > 65_535) {
        throw new CacheInputError(
          `REDIS_CLUSTER_NODES must be host:port,host:port,…; ${JSON.stringify(hostPort)} is not host:port`,
        )
      }
      return { host: m[1] as string, port }
    })
  if (nodes.length === 0) throw new CacheInputError('REDIS_CLUSTER_NODES names no node')
  return nodes
}

export function assertRedisUrl(url: string): void {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new CacheInputError('REDIS_URL is not a URL; expected redis://host:port/db')
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new CacheInputError(`REDIS_URL must start with redis:// or rediss://, got ${parsed.protocol}//`)
  }
}

/** Reconnect attempts at 50, 100, 200, … ms, up to `maxMs` (the cache's reconnectMaxDelayMs; see options.ts). */
const backoff = (maxMs: number) => (times: number) => Math.min(25 * 2 ** times, maxMs)

export function createRedisClient(
  options: { url?: string | undefined; clusterNodes?: string | undefined },
  reconnectMaxDelayMs = 400,
): RedisClient | undefined {
  if (options.clusterNodes) {
    return new Cluster(parseClusterNodes(options.clusterNodes), {
      enableOfflineQueue: false,
      enableAutoPipelining: true,
      clusterRetryStrategy: backoff(reconnectMaxDelayMs),
      redisOptions: { connectTimeout: baseOptions.connectTimeout, maxRetriesPerRequest: 0 },
    })
  }
  if (options.url) {
    assertRedisUrl(options.url)
    return new Redis(options.url, { ...baseOptions, retryStrategy: backoff(reconnectMaxDelayMs) })
  }
  return undefined
}

/**
 * A second connection for pub/sub. It queues while offline, so a subscribe made before the first connect
 * goes out with it; a connection attempt that fails drops the queue (`maxRetriesPerRequest: 0`), and
 * the bus then subscribes on the next `ready` (invalidation-bus.ts). On a Cluster it uses sharded
 * subscribers: one connection to each master, subscribed on the master that owns the channel's slot
 * (the invalidation bus relies on that: see bus-transport.ts).
 */
export function createSubscriber(client: RedisClient): RedisClient {
  return client instanceof Cluster
    ? client.duplicate(undefined, { enableOfflineQueue: true, shardedSubscribers: true })
    : // No autoResubscribe: the bus subscribes again itself (bus-transport.ts, `resubscribesItself`).
      client.duplicate({ enableOfflineQueue: true, enableAutoPipelining: false, autoResubscribe: false })
}

/** The slots of Redis Cluster. */
const SLOTS = 16_384

/**
 * Whether Redis can serve the cache now, for the breaker's probe. One Redis: it answers PING. A Cluster:
 * every slot has a master this client is connected to, and every master answers and says
 * `cluster_state:ok`. A random node answering PING says nothing about the slots of a master that is gone
 * (the others take a node timeout to notice), nor about a cluster that refuses commands (CLUSTERDOWN).
 */
export async function isServing(client: RedisClient): Promise<boolean> {
  if (!(client instanceof Cluster)) return (await client.ping()) === 'PONG'
  const masters = new Map(client.nodes('master').map((node) => [`${node.options.host}:${node.options.port}`, node]))
  const owners = new Set<string>()
  for (let slot = 0; slot < SLOTS; slot++) {
    const owner = client.slots[slot]?.[0]
    if (owner === undefined || !masters.has(owner)) {
      // ioredis drops a node whose connection ended and adds it back only on a slots refresh, which
      // nothing triggers while the breaker keeps commands away: ask for one, the next probe sees it.
      client.refreshSlotsCache()
      return false
    }
    owners.add(owner)
  }
  const infos = await Promise.all(
    [...owners].map((owner) => masters.get(owner)?.call('CLUSTER', 'INFO') as Promise<string>),
  )
  return infos.every((info) => /^cluster_state:ok\b/m.test(info))
}
