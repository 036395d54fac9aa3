import { createDb, migrate } from '@guild/db'
import { claimRedisDb, createTestDatabase, type TestPgDb, type TestRedisDb } from '@guild/testing'

export interface BenchData {
  pg: TestPgDb
  redis: TestRedisDb
  cleanup(): Promise<void>
}

export const GUILD = 1
export const MEMBER = 10
export const TOOL = 'roster'
/** Twenty members, for the batch scenario's twenty distinct checks. */
export const BATCH_MEMBERS = Array.from({ length: 20 }, (_, i) => MEMBER + i)

/** A fresh Postgres database and a Redis database of the run's own, with one guild whose member may use `roster`. */
export async function benchData(): Promise<BenchData> {
  const pg = await createTestDatabase('bench')
  const redis = await claimRedisDb()
  const db = createDb({ url: pg.url, max: 1 })
  try {
    await migrate(db)
    await db.sql`insert into users (bnet_id, battletag)
      select b, 'Bench#' || b from unnest(${BATCH_MEMBERS}::bigint[]) b`
    await db.sql`insert into guilds (id, region, realm_slug, name_slug, name, faction)
      values (${GUILD}, 'us', 'area-52', 'bench', 'Bench', 'HORDE')`
    await db.sql`insert into guild_members (guild_id, character_id, name, realm, level, class_id, rank, bnet_id)
      select ${GUILD}, b, 'Benchy' || b, 'area-52', 80, 1, 1, b from unnest(${BATCH_MEMBERS}::bigint[]) b`
    await db.sql`insert into guild_tool_permissions (guild_id, tool, max_rank) values (${GUILD}, ${TOOL}, 9)`
  } finally {
    await db.close()
  }
  return {
    pg,
    redis,
    cleanup: async () => {
      await redis.release()
      await pg.drop()
    },
  }
}
