import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'

const IMMUTABLE = 'public, max-age=31536000, immutable'

/**
 * The built single-page app: hashed files under /assets cached for a year (a new build has new
 * names), everything else revalidated, and any other GET path that wants HTML answered with
 * index.html so that the app's own router shows it (a reload of /guilds/1/roster works).
 */
export async function staticSite(app: FastifyInstance, root: string): Promise<void> {
  await app.register(fastifyStatic, {
    root,
    index: 'index.html',
    wildcard: true,
    cacheControl: false,
    setHeaders: (res, path) => {
      void res.header('cache-control', /[/\\]assets[/\\]/.test(path) ? IMMUTABLE : 'no-cache')
    },
  })
  app.setNotFoundHandler(async (request, reply) => {
    const wantsPage =
      request.method === 'GET' &&
      !request.url.startsWith('/assets/') &&
      (request.headers.accept ?? '').includes('text/html')
    if (!wantsPage)
      return reply.code(404).send({
        statusCode: 404,
        error: 'Not Found',
        message: `${request.method} ${request.url.split('?')[0]} is not here`,
      })
    return reply.header('cache-control', 'no-cache').sendFile('index.html')
  })
}
