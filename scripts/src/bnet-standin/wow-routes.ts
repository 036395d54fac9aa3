import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { StandinContext } from './context.js'
import { ApiError } from './errors.js'
import type { FixtureCharacter, Fixtures, FixtureGuild } from './fixtures.js'
import { type AccessGrant, bearerToken } from './grants.js'
import { requireNamespace } from './namespace.js'
import { fixtureRealms, nameSlug } from './slugs.js'

/** The scope a user token needs for the account profile, as Battle.net asks (403 without it). */
const PROFILE_SCOPE = 'wow.profile'

function requireGrant(ctx: StandinContext, request: FastifyRequest): AccessGrant {
  const grant = ctx.grants.lookupToken(bearerToken(request.headers.authorization) ?? '')
  if (!grant) throw new ApiError(401, 'a valid Bearer access token is required')
  return grant
}

function rosterMember(fixtures: Fixtures, guild: FixtureGuild, entry: FixtureGuild['roster'][number]) {
  let owned: FixtureCharacter | undefined
  for (const user of fixtures.users) {
    owned = user.characters.find((character) => character.id === entry.character_id)
    if (owned) break
  }
  // fixtureProblem() has made sure an entry owned by no user carries name, level and class_id.
  const character = owned ?? {
    id: entry.character_id,
    name: entry.name as string,
    realm: guild.realm,
    level: entry.level as number,
    class_id: entry.class_id as number,
  }
  return {
    character: {
      id: character.id,
      name: character.name,
      realm: { slug: character.realm },
      level: character.level,
      playable_class: { id: character.class_id },
    },
    rank: entry.rank,
  }
}

/**
 * The World of Warcraft API paths guild-api uses, with Battle.net's checks: a token (401), the path's
 * namespace (404), and for the account profile the `wow.profile` scope (403). `locale` is ignored.
 */
export function registerWowRoutes(app: FastifyInstance, ctx: StandinContext): void {
  app.get('/profile/user/wow', async (request) => {
    const grant = requireGrant(ctx, request)
    if (grant.kind !== 'user') throw new ApiError(401, 'this path needs a user access token (authorization_code grant)')
    requireNamespace(request, 'profile', ctx.regions)
    if (!(grant.scope ?? '').split(' ').includes(PROFILE_SCOPE)) {
      throw new ApiError(
        403,
        `this path needs a token granted the ${PROFILE_SCOPE} scope (asked for at /oauth/authorize)`,
      )
    }
    const fixtures = ctx.fixtures(request)
    const user = fixtures.users.find((u) => u.id === grant.userId)
    if (!user) throw new ApiError(404, `user ${grant.userId} is no longer in the fixture file`)
    const realmNames = new Map(fixtureRealms(fixtures).map((realm) => [realm.slug, realm.name]))
    return {
      wow_accounts: [
        {
          characters: user.characters.map((c) => ({
            id: c.id,
            name: c.name,
            realm: { slug: c.realm, name: realmNames.get(c.realm) ?? c.realm },
            level: c.level,
            playable_class: { id: c.class_id },
          })),
        },
      ],
    }
  })

  app.get('/data/wow/realm/index', async (request) => {
    requireGrant(ctx, request)
    requireNamespace(request, 'dynamic', ctx.regions)
    return {
      realms: fixtureRealms(ctx.fixtures(request)).map((realm) => ({
        id: realm.id,
        name: realm.name,
        slug: realm.slug,
      })),
    }
  })

  app.get('/data/wow/guild/:realmSlug/:nameSlug/roster', async (request) => {
    requireGrant(ctx, request)
    requireNamespace(request, 'profile', ctx.regions)
    const params = request.params as { realmSlug: string; nameSlug: string }
    const realm = params.realmSlug.toLowerCase()
    const name = params.nameSlug.toLowerCase()
    const fixtures = ctx.fixtures(request)
    const guild = fixtures.guilds.find((g) => g.realm === realm && nameSlug(g.name) === name)
    if (!guild) throw new ApiError(404, `no guild "${name}" on realm "${realm}" in the fixture file`)
    return {
      guild: { id: guild.id, name: guild.name, realm: { slug: guild.realm }, faction: { type: guild.faction } },
      members: guild.roster.map((entry) => rosterMember(fixtures, guild, entry)),
    }
  })
}
