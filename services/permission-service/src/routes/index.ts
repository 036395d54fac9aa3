import type { FastifyInstance } from 'fastify'
import serviceAuth from '../plugins/app/service-auth.js'
import checkRoutes from './check.js'

/** Every /v1 route, in one context that asks for SERVICE_TOKEN (health and docs stay outside it). */
export default async function routes(app: FastifyInstance, options: { serviceToken: string }): Promise<void> {
  await app.register(serviceAuth, { token: options.serviceToken })
  await app.register(checkRoutes)
}
