import { httpError } from '@guild/service-kit'
import type { FastifyInstance } from 'fastify'
import { realmKey, slugOf } from '../../battlenet/slugs.js'
import { REGIONS, type BnetRegion } from '../../config.js'
import { registerGuild } from '../../guilds/registration.js'
import { errorResponses, guildSummary, sessionSecurity } from '../schemas.js'

interface Body {
  region?: BnetRegion
  realm: string
  name: string
}

/** Letters (any script), digits, spaces, apostrophes and dashes: what guild names are made of. */
const NAME_PATTERN = "^[\\p{L}\\p{N}' -]+$"
/** A realm's slug or display name: "Kel'Thuzad", "Aggra (Português)" (accents composed or not), "area-52". */
const REALM_PATTERN = "^[\\p{L}\\p{M}\\p{N}'’ ().-]+$"

/** POST /guilds */
export default async function registerRoute(app: FastifyInstance): Promise<void> {
  app.post<{ Body: Body }>(
    '/guilds',
    {
      config: { rateLimit: app.guildWriteRateLimit },
      schema: {
        tags: ['guilds'],
        operationId: 'registerGuild',
        summary: "Registers a guild and imports its roster; the caller must be rank 0 in Battle.net's roster",
        security: sessionSecurity,
        body: {
          type: 'object',
          required: ['realm', 'name'],
          additionalProperties: false,
          properties: {
            region: { type: 'string', enum: [...REGIONS], description: 'default BNET_REGION' },
            realm: {
              type: 'string',
              minLength: 1,
              maxLength: 64,
              pattern: REALM_PATTERN,
              description:
                "realm slug or display name (kelthuzad or Kel'Thuzad), resolved through Battle.net's realm index",
            },
            name: {
              type: 'string',
              minLength: 1,
              maxLength: 64,
              pattern: NAME_PATTERN,
              description: 'guild name, e.g. Horde Vanguard',
            },
          },
        },
        response: { 201: guildSummary, ...errorResponses(400, 401, 403, 404, 409, 429, 502, 503) },
        description: 'An unknown realm, or a region other than BNET_REGION, is a 400.',
      },
    },
    async (request, reply) => {
      const { name } = request.body
      if (realmKey(request.body.realm) === '') throw httpError(400, 'body/realm must not be blank')
      if (slugOf(name) === '') throw httpError(400, 'body/name must not be blank')
      const region = request.body.region ?? app.config.BNET_REGION
      // Characters and guilds are keyed by their Battle.net id, unique within one region only.
      if (region !== app.config.BNET_REGION) {
        throw httpError(
          400,
          `body/region: this deployment serves Battle.net region ${app.config.BNET_REGION} alone, not ${region}`,
        )
      }
      const realm = await app.realms.resolve(region, request.body.realm.trim())
      const summary = await registerGuild(
        { db: app.db, cache: app.cache, bnet: app.bnet },
        request.user?.bnetId as number,
        { region, realm, name },
      )
      return reply.code(201).send(summary)
    },
  )
}
