import rateLimit from '@fastify/rate-limit'
import { httpError, parseClusterNodes } from '@guild/service-kit'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Cluster, Redis } from 'ioredis'

/** Counters live under the contract's `cache:` prefix, each with the window's TTL. */
export const RATE_LIMIT_NAMESPACE = 'cache:ratelimit:'
export const RATE_LIMIT_WINDOW_MS = 60_000

/**
 * A connection of the rate limiter's own, set up like the cache's so that a login never waits on Redis:
 * no offline queue (a command fails at once while disconnected), no retries, short connect and command
 * timeouts, reconnection in the background. The cache does not lend out its client.
 */
export function rateLimitRedis(options: {
  url?: string | undefined
  clusterNodes?: string | undefined
}): Redis | Cluster | undefined {
  const retryStrategy = (times: number) => Math.min(25 * 2 ** times, 1_000)
  const connection = { connectTimeout: 1_000, commandTimeout: 250, maxRetriesPerRequest: 0 }
  if (options.clusterNodes) {
    return new Cluster(parseClusterNodes(options.clusterNodes), {
      enableOfflineQueue: false,
      clusterRetryStrategy: retryStrategy,
      redisOptions: connection,
    })
  }
  if (options.url) return new Redis(options.url, { ...connection, enableOfflineQueue: false, retryStrategy })
  return undefined
}

/** One warning when Redis goes, one line when it is back: not one per failed command. */
function watch(client: Redis | Cluster, log: FastifyBaseLogger): void {
  let down = false
  client.on('error', (err: Error) => {
    if (down) return
    down = true
    log.warn({ reason: err.message }, 'rate limit: Redis is unreachable; /auth/* is not limited until it is back')
  })
  client.on('ready', () => {
    if (down) log.info('rate limit: Redis is back; /auth/* is limited again')
    down = false
  })
}

/** How long start-up waits for the limiter's Redis connection before going on without it. */
const CONNECT_WAIT_MS = 500

async function ready(client: Redis | Cluster, ms: number): Promise<void> {
  if (client.status === 'ready') return
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer)
      client.off('ready', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    client.once('ready', done)
  })
}

export interface AuthRateLimitOptions {
  /** Requests a client IP may make per minute on the routes of the context it is registered in. */
  max: number
  url?: string | undefined
  clusterNodes?: string | undefined
}

/**
 * Limits every route of the context it is registered in (the /auth/* routes) to `max` requests a minute
 * per client IP, answering 429 with Retry-After and the contract's error body beyond. The count is kept in
 * Redis when REDIS_URL / REDIS_CLUSTER_NODES say so, shared by every instance (`cache:ratelimit:{ip}`, TTL
 * one minute), else in this process. Redis failing lets requests through (`skipOnError`): logging in must
 * not depend on Redis, which the contract makes optional.
 */
async function authRateLimit(app: FastifyInstance, options: AuthRateLimitOptions): Promise<void> {
  const redis = rateLimitRedis(options)
  if (redis !== undefined) {
    watch(redis, app.log)
    app.addHook('onClose', async () => {
      redis.disconnect()
    })
    // Until it connects every request is let through (skipOnError): give it a moment at start, no more.
    await ready(redis, CONNECT_WAIT_MS)
  }
  await app.register(rateLimit, {
    global: true,
    max: options.max,
    timeWindow: RATE_LIMIT_WINDOW_MS,
    ...(redis === undefined ? {} : { redis, nameSpace: RATE_LIMIT_NAMESPACE }),
    skipOnError: true,
    errorResponseBuilder: (_request, context) =>
      httpError(
        context.statusCode,
        `too many requests to /auth/* from this address: at most ${context.max} a minute; retry in ${context.after}`,
      ),
  })
}

export default fp(authRateLimit, { name: 'auth-rate-limit' })
