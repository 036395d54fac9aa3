import { httpError, secretVerifier } from '@guild/service-kit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Socket } from 'node:net'

export interface ServiceAuthOptions {
  /** SERVICE_TOKEN. */
  token: string
}

/**
 * Every route of the context it is registered in (not encapsulated: the routes' context) asks for `Authorization:
 * Bearer <SERVICE_TOKEN>`.
 *
 * The comparison is constant-time (over digests, so not even the length leaks). guild-api keeps its
 * connections alive, so a socket that presented the right header is remembered, and the next request
 * on it with the very same header skips the hash. That leaks nothing: the remembered value is compared
 * only with what arrives on the same socket, and a socket has one only after proving it knew the token.
 * A callback hook: it runs on every check, and an async hook would cost a promise each time.
 */
async function serviceAuthPlugin(app: FastifyInstance, options: ServiceAuthOptions): Promise<void> {
  const verify = secretVerifier(options.token)
  const verified = new WeakMap<Socket, string>()
  app.addHook('onRequest', (request, _reply, done) => {
    const header = request.headers.authorization
    const socket = request.raw.socket
    if (typeof header === 'string') {
      if (verified.get(socket) === header) return done()
      if (header.startsWith('Bearer ') && verify(header.slice(7))) {
        verified.set(socket, header)
        return done()
      }
    }
    done(
      httpError(401, 'a valid service token is required (Authorization: Bearer <SERVICE_TOKEN>)', {
        headers: { 'www-authenticate': 'Bearer' },
      }),
    )
  })
}

export default fp(serviceAuthPlugin, { name: 'service-auth' })
