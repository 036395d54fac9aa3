import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createCache } from './cache.js'
import type { Cache, CacheOptions } from './types.js'

declare module 'fastify' {
  interface FastifyInstance {
    cache: Cache
  }
}

export type CachePluginOptions = CacheOptions | { cache: Cache }

/**
 * Decorates `fastify.cache`. Unlike @fastify/redis, which waits for Redis while the app boots (and so
 * fails the boot with FST_ERR_PLUGIN_TIMEOUT when Redis is down), this never waits: the app boots and
 * serves without Redis, and the cache starts working whenever Redis answers.
 */
async function cachePlugin(fastify: FastifyInstance, options: CachePluginOptions): Promise<void> {
  const owned = !('cache' in options)
  const cache = 'cache' in options ? options.cache : createCache({ logger: fastify.log, ...options })
  fastify.decorate('cache', cache)
  if (owned) fastify.addHook('onClose', async () => await cache.close())
}

export const fastifyCache = fp(cachePlugin, { name: '@guild/cache', fastify: '5.x' })
