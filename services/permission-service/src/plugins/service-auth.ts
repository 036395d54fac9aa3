import { httpError, safeEqual } from '@guild/service-kit'
import type { FastifyInstance } from 'fastify'

/**
 * Every route of the context it is registered in asks for `Authorization: Bearer <SERVICE_TOKEN>`.
 * The comparison is constant-time (over digests, so not even the length leaks).
 */
export function requireServiceToken(app: FastifyInstance, token: string): void {
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization
    if (typeof header !== 'string' || !header.startsWith('Bearer ') || !safeEqual(header.slice(7), token)) {
      throw httpError(401, 'a valid service token is required (Authorization: Bearer <SERVICE_TOKEN>)', {
        headers: { 'www-authenticate': 'Bearer' },
      })
    }
  })
}
