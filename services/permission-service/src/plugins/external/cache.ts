import { fastifyCache } from '@guild/cache'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { LEASE_TTL_MS } from '../../config.js'

/**
 * `app.cache`: Redis and its invalidation bus when REDIS_URL / REDIS_CLUSTER_NODES say so, else a cache that stores
 * nothing.
 */
async function cachePlugin(app: FastifyInstance): Promise<void> {
  await app.register(fastifyCache, {
    url: app.config.REDIS_URL,
    clusterNodes: app.config.REDIS_CLUSTER_NODES,
    busChannel: app.config.CACHE_BUS_CHANNEL,
    // Set here rather than read back from the cache: the checker's refills plan with the same figure.
    lockTtlMs: LEASE_TTL_MS,
    logger: app.log,
  })
}

export default fp(cachePlugin, { name: 'cache', dependencies: ['@fastify/env'] })
