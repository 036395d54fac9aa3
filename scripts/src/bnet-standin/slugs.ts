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
