/**
 * How Battle.net addresses a guild by name (the contract: lower case, spaces as `-`). Runs of
 * whitespace count as one space, so "Horde  Vanguard" finds the same guild. Realms are not slugged
 * this way ("Kel'Thuzad" is `kelthuzad`): they are looked up in Battle.net's realm index (`realm-index.ts`).
 */
export function slugOf(name: string): string {
  return name.trim().toLowerCase().replace(/\s+/g, '-')
}

/**
 * What a realm's name and slug have in common however it is written: "Kel'Thuzad", "kel thuzad" and
 * `kelthuzad`, or "Aggra (Português)" and `aggra-portugues`, give the same key. Accents go with their
 * letters (NFKD, then the marks dropped), and so does everything that is neither letter nor digit.
 */
export function realmKey(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '')
}
