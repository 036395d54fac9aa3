import { httpError } from '@guild/service-kit'
import type { FastifyInstance } from 'fastify'
import { slugOf } from '../../battlenet/slugs.js'
import { REGIONS, type BnetRegion } from '../../config.js'
import { registerGuild } from '../../guilds/registration.js'
import { errorResponses, guildSummary, sessionSecurity } from '../schemas.js'

interface Body {
  region?: BnetRegion
  realm: string
  name: string
}

/** Letters (any script), digits, spaces, apostrophes and dashes: what realm and guild names are made of. */
const NAME_PATTERN = "^[\\p{L}\\p{N}' -]+$"

/** POST /guilds */
export default async function registerRoute(app: FastifyInstance): Promise<void> {
  app.post<{ Body: Body }>(
    '/guilds',
    {
      config: { rateLimit: app.guildWriteRateLimit },
      schema: {
        tags: ['guilds'],
        summary: "Registers a guild and imports its roster; the caller must be rank 0 in Battle.net's roster",
        security: sessionSecurity,
        body: {
          type: 'object',
          required: ['realm', 'name'],
          additionalProperties: false,
          properties: {
            region: { type: 'string', enum: [...REGIONS], description: 'default BNET_REGION' },
            realm: { type: 'string', minLength: 1, maxLength: 64, pattern: NAME_PATTERN, description: 'realm slug or name, e.g. area-52' },
            name: { type: 'string', minLength: 1, maxLength: 64, pattern: NAME_PATTERN, description: 'guild name, e.g. Horde Vanguard' },
          },
        },
        response: { 201: guildSummary, ...errorResponses(400, 401, 403, 404, 409, 429, 502, 503) },
      },
    },
    async (request, reply) => {
      const { realm, name } = request.body
      if (slugOf(realm) === '') throw httpError(400, 'body/realm must not be blank')
      if (slugOf(name) === '') throw httpError(400, 'body/name must not be blank')
      const region = request.body.region ?? app.config.BNET_REGION
      const summary = await registerGuild({ db: app.db, cache: app.cache, bnet: app.bnet }, request.user?.bnetId as number, { region, realm, name })
      return reply.code(201).send(summary)
    },
  )
}
