import { fastifyCache } from '@guild/cache'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

/**
 * `app.cache`: Redis when REDIS_URL / REDIS_CLUSTER_NODES say so, else a cache that stores nothing. Never waits for
 * Redis.
 */
async function cachePlugin(app: FastifyInstance): Promise<void> {
  await app.register(fastifyCache, {
    url: app.config.REDIS_URL,
    clusterNodes: app.config.REDIS_CLUSTER_NODES,
    busChannel: app.config.CACHE_BUS_CHANNEL,
    // Sessions, members, settings and profiles read on every request: a short in-process tier in front of
    // Redis, which every invalidation (here or in another instance) drops before it returns.
    memory: { ttlMs: app.config.CACHE_MEMORY_TTL_MS },
    // A change answers only once no process can still serve what it replaced, even when Redis is
    // unreachable: then the invalidation waits (a few hundred ms) until every process has noticed.
    invalidationOutwaitsSilence: true,
    logger: app.log,
  })
}

export default fp(cachePlugin, { name: 'cache', dependencies: ['@fastify/env'] })
