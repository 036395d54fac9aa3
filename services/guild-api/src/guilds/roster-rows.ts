import { characters, inArray, type Database, type NewGuildMember } from '@guild/db'
import type { BnetRosterMember } from '../battlenet/answers.js'

type Tx = Parameters<Parameters<Database['transaction']>[0]>[0]

/** Which of our users owns each of these characters (from their last login). */
export async function ownersOf(tx: Tx | Database, characterIds: number[]): Promise<Map<number, number>> {
  if (characterIds.length === 0) return new Map()
  const rows = await tx
    .select({ id: characters.id, bnetId: characters.bnetId })
    .from(characters)
    .where(inArray(characters.id, characterIds))
  return new Map(rows.map((r) => [r.id, r.bnetId]))
}

/** Battle.net's roster as guild_members rows, each linked to its owner when we know them. */
export function memberRows(
  guildId: number,
  members: BnetRosterMember[],
  owners: Map<number, number>,
): NewGuildMember[] {
  return members.map((m) => ({
    guildId,
    characterId: m.id,
    name: m.name,
    realm: m.realm,
    level: m.level,
    classId: m.classId,
    rank: m.rank,
    bnetId: owners.get(m.id) ?? null,
  }))
}

/** Postgres takes at most 65535 parameters per statement; 8 columns a row leaves room for 1000 rows. */
export function inChunks<T>(rows: T[], size = 1000): T[][] {
  const chunks: T[][] = []
  for (let i = 0; i < rows.length; i += size) chunks.push(rows.slice(i, i + size))
  return chunks
}
