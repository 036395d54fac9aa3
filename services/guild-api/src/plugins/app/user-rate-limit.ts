import rateLimit, { type RateLimitOptions } from '@fastify/rate-limit'
import { httpError } from '@guild/service-kit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { RATE_LIMIT_WINDOW_MS, rateLimitRedis } from './auth-rate-limit.js'

/** Per-user counters: `cache:ratelimit:user:{METHOD}{route}-{bnet_id}`, TTL one minute. */
export const USER_RATE_LIMIT_NAMESPACE = 'cache:ratelimit:user:'

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * A route's `config.rateLimit` for the writes that cost a Battle.net call: per user, GUILD_WRITE_RATE_LIMIT_MAX a
     * minute.
     */
    guildWriteRateLimit: RateLimitOptions
  }
}

/**
 * @fastify/rate-limit for the routes that opt in (`config: { rateLimit: app.guildWriteRateLimit }`):
 * POST /guilds and POST /guilds/{id}/sync, each of which costs a Battle.net call, so that one user
 * cannot spend the quota every user shares. Counted per user after the session check (a preHandler),
 * in Redis for every instance when there is one (its own connection, as the /auth limiter's), else in
 * this process; Redis failing lets requests through (the Battle.net quota still holds).
 */
async function userRateLimit(app: FastifyInstance): Promise<void> {
  const redis = rateLimitRedis({ url: app.config.REDIS_URL, clusterNodes: app.config.REDIS_CLUSTER_NODES })
  if (redis !== undefined) {
    redis.on('error', () => undefined)
    app.addHook('onClose', async () => {
      redis.disconnect()
    })
  }
  const max = app.config.GUILD_WRITE_RATE_LIMIT_MAX
  await app.register(rateLimit, {
    global: false,
    ...(redis === undefined ? {} : { redis, nameSpace: USER_RATE_LIMIT_NAMESPACE }),
    skipOnError: true,
  })
  app.decorate('guildWriteRateLimit', {
    max,
    timeWindow: RATE_LIMIT_WINDOW_MS,
    hook: 'preHandler',
    keyGenerator: (request) => String(request.user?.bnetId ?? request.ip),
    errorResponseBuilder: (_request, context) =>
      httpError(
        context.statusCode,
        `too many guild registrations or syncs from you: at most ${max} a minute; retry in ${context.after}`,
      ),
  } satisfies RateLimitOptions)
}

export default fp(userRateLimit, { name: 'user-rate-limit', dependencies: ['@fastify/env'] })
