import { Cluster, Redis, type ClusterNode, type RedisOptions } from 'ioredis'
import { CacheInputError } from './errors.js'

export type RedisClient = Redis | Cluster

/**
 * ioredis, set up so that no caller can hang on it: commands fail at once while disconnected (no
 * offline queue) instead of queueing until Redis returns, and reconnection goes on forever in the
 * background with a capped backoff, so caching resumes by itself.
 */
const baseOptions: RedisOptions = {
  enableOfflineQueue: false,
  enableAutoPipelining: true,
  maxRetriesPerRequest: 0,
  connectTimeout: 1_000,
  retryStrategy: (times: number) => Math.min(25 * 2 ** times, 1_000),
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
        throw new CacheInputError(`REDIS_CLUSTER_NODES must be host:port,host:port,…; ${JSON.stringify(hostPort)} is not host:port`)
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

export function createRedisClient(options: { url?: string | undefined; clusterNodes?: string | undefined }): RedisClient | undefined {
  if (options.clusterNodes) {
    return new Cluster(parseClusterNodes(options.clusterNodes), {
      enableOfflineQueue: false,
      enableAutoPipelining: true,
      clusterRetryStrategy: (times: number) => Math.min(25 * 2 ** times, 1_000),
      redisOptions: { connectTimeout: baseOptions.connectTimeout, maxRetriesPerRequest: 0 },
    })
  }
  if (options.url) {
    assertRedisUrl(options.url)
    return new Redis(options.url, baseOptions)
  }
  return undefined
}

/** A second connection for pub/sub. It queues while offline, so a subscribe made before the first connect is not lost. */
export function createSubscriber(client: RedisClient): RedisClient {
  return client instanceof Cluster
    ? client.duplicate(undefined, { enableOfflineQueue: true })
    : client.duplicate({ enableOfflineQueue: true, enableAutoPipelining: false })
}
