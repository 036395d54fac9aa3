import type { FastifyRequest } from 'fastify'
import type { Fixtures, FixtureUser } from './fixtures.js'
import type { GrantStore } from './grants.js'
import type { Region } from './namespace.js'

/** What the route modules share: the grants in memory, the fixtures read for this request, the configuration. */
export interface StandinContext {
  grants: GrantStore
  fixtures(request: FastifyRequest): Fixtures
  /** The regions whose namespaces the API paths accept. */
  regions: readonly Region[]
  /** The redirect URIs registered for the client, as on Blizzard's developer portal; undefined: any. */
  redirectUris: readonly string[] | undefined
}

/** The fixture user a `login_hint` names: by numeric id, or by battletag (case-insensitively). */
export function findUser(fixtures: Fixtures, hint: string): FixtureUser | undefined {
  if (/^\d+$/.test(hint)) return fixtures.users.find((user) => user.id === Number(hint))
  const wanted = hint.toLowerCase()
  return fixtures.users.find((user) => user.battletag.toLowerCase() === wanted)
}
