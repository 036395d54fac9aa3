import { createDb, migrate, type DbHandle } from '@guild/db'
import { claimRedisDb, createTestDatabase, type TestPgDb, type TestRedisDb } from '@guild/testing'
import type { FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import { buildApp } from '../../src/app.js'

export const TOKEN = 'test-service-token-0123456789'
export const AUTH = { authorization: `Bearer ${TOKEN}` }

/** A migrated Postgres database of this test file's own, dropped at the end. */
export async function migratedDatabase(t: Test): Promise<{ pg: TestPgDb; db: DbHandle }> {
  const pg = await createTestDatabase('perm')
  const db = createDb({ url: pg.url, max: 2 })
  await migrate(db)
  t.teardown(async () => {
    await db.close()
    await pg.drop()
  })
  return { pg, db }
}

export async function redisDb(t: Test): Promise<TestRedisDb> {
  const redis = await claimRedisDb()
  t.teardown(() => redis.release())
  return redis
}

/** A permission-service app (inject-able), closed at the end; resolves once it can answer checks. */
export async function startService(t: Test, env: Record<string, string | undefined>): Promise<FastifyInstance> {
  const app = await buildApp({ env: { NODE_ENV: 'test', LOG_LEVEL: 'silent', SERVICE_TOKEN: TOKEN, ...env } })
  t.teardown(() => app.close())
  await app.ready()
  await Promise.race([app.schemaReady, new Promise((r) => setTimeout(r, 3_000))])
  // With Redis, memory is used once the bus is heard (a heartbeat or two after start): wait for that,
  // so that tests counting which layer answered see the steady state.
  const until = Date.now() + 3_000
  while (['up', 'connecting'].includes(app.cache.state()) && !app.cache.propagating() && Date.now() < until)
    await new Promise((r) => setTimeout(r, 10))
  return app
}

export interface Member {
  characterId: number
  bnetId: number | null
  rank: number
}

/** Writes a guild, its roster and its tool map straight to the database, as guild-api would. */
export async function seedGuild(
  db: DbHandle,
  guildId: number,
  members: Member[],
  tools: Record<string, number>,
): Promise<void> {
  const users = [...new Set(members.map((m) => m.bnetId).filter((b): b is number => b !== null))]
  for (const bnetId of users) {
    await db.sql`insert into users (bnet_id, battletag) values (${bnetId}, ${`User${bnetId}#1`}) on conflict do nothing`
  }
  await db.sql`insert into guilds (id, region, realm_slug, name_slug, name, faction)
    values (${guildId}, 'us', 'area-52', ${`g-${guildId}`}, ${`G ${guildId}`}, 'HORDE')`
  for (const m of members) {
    await db.sql`insert into guild_members (guild_id, character_id, name, realm, level, class_id, rank, bnet_id)
      values (${guildId}, ${m.characterId}, ${`C${m.characterId}`}, 'area-52', 80, 1, ${m.rank}, ${m.bnetId})`
  }
  for (const [tool, rank] of Object.entries(tools)) {
    await db.sql`insert into guild_tool_permissions (guild_id, tool, max_rank) values (${guildId}, ${tool}, ${rank})`
  }
}

export async function setRank(db: DbHandle, guildId: number, characterId: number, rank: number): Promise<void> {
  await db.sql`update guild_members set rank = ${rank} where guild_id = ${guildId} and character_id = ${characterId}`
}

export async function setToolRank(db: DbHandle, guildId: number, tool: string, rank: number): Promise<void> {
  await db.sql`insert into guild_tool_permissions (guild_id, tool, max_rank) values (${guildId}, ${tool}, ${rank})
    on conflict (guild_id, tool) do update set max_rank = excluded.max_rank`
}

export async function check(app: FastifyInstance, guildId: number | string, bnetId: number | string, tool: string) {
  return await app.inject({ url: `/v1/check?guild_id=${guildId}&bnet_id=${bnetId}&tool=${tool}`, headers: AUTH })
}

export async function allowed(app: FastifyInstance, guildId: number, bnetId: number, tool: string): Promise<boolean> {
  const res = await check(app, guildId, bnetId, tool)
  if (res.statusCode !== 200) throw new Error(`check answered ${res.statusCode}: ${res.body}`)
  return res.json<{ has_access: boolean }>().has_access
}

export async function batch(app: FastifyInstance, checks: { guild_id: number; bnet_id: number; tool: string }[]) {
  return await app.inject({ method: 'POST', url: '/v1/check/batch', headers: AUTH, payload: { checks } })
}
