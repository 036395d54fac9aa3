import cors from '@fastify/cors'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { corsOrigins } from '../../config.js'

/** Credentials (the sid cookie) from exactly the CORS_ORIGINS; none set: same origin only. */
async function corsPlugin(app: FastifyInstance): Promise<void> {
  const origins = corsOrigins(app.config)
  await app.register(cors, {
    origin: origins.length > 0 ? origins : false,
    credentials: true,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'],
  })
}

export default fp(corsPlugin, { name: 'cors', dependencies: ['@fastify/env'] })
