import cors from '@fastify/cors'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { corsOrigins } from '../../config.js'

/**
 * Credentials (the sid cookie) from exactly the CORS_ORIGINS; none set: same origin only. Any other
 * origin gets no CORS header at all (not even Allow-Credentials), and its preflight is a 404 like any
 * unknown route, so nothing in an answer to it could be read as a grant.
 */
async function corsPlugin(app: FastifyInstance): Promise<void> {
  const allowed = new Set(corsOrigins(app.config))
  await app.register(cors, {
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin) ? origin : false),
    credentials: true,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'],
    // A bare OPTIONS from an allowed origin (no Access-Control-Request-Method) is answered like a preflight
    // instead of with the plugin's text/plain 400, which breaks the contract's JSON error shape.
    strictPreflight: false,
    // A 429 says when to retry; a page on another origin can read only the headers exposed to it.
    exposedHeaders: ['Retry-After'],
  })
}

export default fp(corsPlugin, { name: 'cors', dependencies: ['@fastify/env'] })
