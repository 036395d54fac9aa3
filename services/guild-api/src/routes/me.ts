import { httpError } from '@guild/service-kit'
import type { FastifyInstance } from 'fastify'
import { getProfile } from '../users/profile.js'
import { errorResponses, sessionSecurity } from './schemas.js'

const profileSchema = {
  type: 'object',
  required: ['bnet_id', 'battletag', 'characters', 'guilds'],
  properties: {
    bnet_id: { type: 'integer' },
    battletag: { type: 'string' },
    characters: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'name', 'realm', 'level'],
        properties: {
          id: { type: 'integer' },
          name: { type: 'string' },
          realm: { type: 'string' },
          level: { type: 'integer' },
        },
      },
    },
    guilds: {
      type: 'array',
      description: 'registered guilds where the user has a character, with their best rank',
      items: {
        type: 'object',
        required: ['guild_id', 'name', 'realm', 'rank'],
        properties: {
          guild_id: { type: 'integer' },
          name: { type: 'string' },
          realm: { type: 'string' },
          rank: { type: 'integer' },
        },
      },
    },
  },
} as const

/** GET /me */
export default async function meRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/me',
    {
      schema: {
        tags: ['users'],
        operationId: 'getMe',
        summary: 'The signed-in user, their characters and their registered guilds',
        security: sessionSecurity,
        response: { 200: profileSchema, ...errorResponses(401) },
      },
    },
    async (request) => {
      const bnetId = request.user?.bnetId as number
      const profile = await getProfile(app.cache, app.db, bnetId)
      if (profile === null) throw httpError(401, 'the session belongs to a user who no longer exists: log in again')
      return profile
    },
  )
}
