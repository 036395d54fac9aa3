/**
 * How Battle.net addresses a realm or guild by name (the contract: lower case, spaces as `-`).
 * Runs of whitespace count as one space, so "Horde  Vanguard" finds the same guild.
 */
export function slugOf(name: string): string {
  return name.trim().toLowerCase().replace(/\s+/g, '-')
}
