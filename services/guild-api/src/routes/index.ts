import type { FastifyInstance } from 'fastify'
import authRateLimit from '../plugins/app/auth-rate-limit.js'
import userRateLimit from '../plugins/app/user-rate-limit.js'
import authRoutes from './auth.js'
import { mapDomainErrors } from './domain-errors.js'
import guildScope from './guilds/guild-scope.js'
import registerRoute from './guilds/register.js'
import meRoutes from './me.js'
import realmRoutes from './realms.js'

/** Every guild-api route, in one context whose error handler turns domain errors into HTTP ones. */
export default async function routes(app: FastifyInstance): Promise<void> {
  mapDomainErrors(app)
  // The login routes in a context of their own, so that the rate limit applies to them alone.
  await app.register(async (auth) => {
    await auth.register(authRateLimit, {
      max: app.config.AUTH_RATE_LIMIT_MAX,
      url: app.config.REDIS_URL,
      clusterNodes: app.config.REDIS_CLUSTER_NODES,
    })
    await auth.register(authRoutes)
  })
  await app.register(meRoutes)
  await app.register(realmRoutes)
  await app.register(userRateLimit)
  await app.register(registerRoute)
  await app.register(guildScope)
}
