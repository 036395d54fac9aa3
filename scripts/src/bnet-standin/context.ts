import type { FastifyRequest } from 'fastify'
import type { Fixtures, FixtureUser } from './fixtures.js'
import type { GrantStore } from './grants.js'

/** What the route modules share: the grants in memory and the fixtures read for this request. */
export interface StandinContext {
  grants: GrantStore
  fixtures(request: FastifyRequest): Fixtures
}

/** The fixture user a `login_hint` names: by numeric id, or by battletag (case-insensitively). */
export function findUser(fixtures: Fixtures, hint: string): FixtureUser | undefined {
  if (/^\d+$/.test(hint)) return fixtures.users.find((user) => user.id === Number(hint))
  const wanted = hint.toLowerCase()
  return fixtures.users.find((user) => user.battletag.toLowerCase() === wanted)
}
