import type { FastifyInstance } from 'fastify'
import { errorResponses, sessionSecurity } from './schemas.js'

const realmList = {
  type: 'array',
  items: {
    type: 'object',
    required: ['slug', 'name'],
    additionalProperties: false,
    properties: {
      slug: { type: 'string', description: 'how Battle.net addresses the realm, e.g. kelthuzad' },
      name: { type: 'string', description: "its display name, e.g. Kel'Thuzad" },
    },
  },
} as const

/** GET /realms: the deployment's region's realms, from Battle.net's realm index, for the frontend's picker. */
export default async function realmRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/realms',
    {
      schema: {
        tags: ['guilds'],
        operationId: 'listRealms',
        summary: "The realms of the deployment's Battle.net region (BNET_REGION), by name",
        security: sessionSecurity,
        response: { 200: realmList, ...errorResponses(401, 502, 503) },
      },
    },
    async () => await app.realms.list(app.config.BNET_REGION),
  )
}
