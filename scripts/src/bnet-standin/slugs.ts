import type { FixtureRealm, Fixtures } from './fixtures.js'

/** A guild's `name_slug` as the contract defines it: lower case, spaces as `-`. */
export function nameSlug(name: string): string {
  return name.toLowerCase().replace(/ /g, '-')
}

/** A display name for a realm slug, e.g. "area-52" → "Area 52"; the fixtures hold slugs only. */
export function realmName(slug: string): string {
  return slug
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ')
}

/** The realm index: the fixture's `realms`, or else every realm slug it uses, in order of first use. */
export function fixtureRealms(fixtures: Fixtures): FixtureRealm[] {
  if (fixtures.realms !== undefined) return fixtures.realms
  const slugs = new Set([
    ...fixtures.users.flatMap((u) => u.characters.map((c) => c.realm)),
    ...fixtures.guilds.map((g) => g.realm),
  ])
  return [...slugs].map((slug, i) => ({ id: i + 1, slug, name: realmName(slug) }))
}
