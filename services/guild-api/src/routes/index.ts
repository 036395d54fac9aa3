import type { FastifyInstance } from 'fastify'
import authRoutes from './auth.js'
import { mapDomainErrors } from './domain-errors.js'
import guildScope from './guilds/guild-scope.js'
import registerRoute from './guilds/register.js'
import meRoutes from './me.js'

/** Every guild-api route, in one context whose error handler turns domain errors into HTTP ones. */
export default async function routes(app: FastifyInstance): Promise<void> {
  mapDomainErrors(app)
  await app.register(authRoutes)
  await app.register(meRoutes)
  await app.register(registerRoute)
  await app.register(guildScope)
}
