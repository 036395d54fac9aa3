import t from 'tap'
import { createHash } from 'node:crypto'
import {
  eq,
  isUniqueViolation,
  PG_CHECK_VIOLATION as CHECK_VIOLATION,
  PG_FOREIGN_KEY_VIOLATION as FK_VIOLATION,
  PG_UNIQUE_VIOLATION as UNIQUE_VIOLATION,
  postgresErrorOf,
  guildMembers,
  guilds,
  guildSettings,
  guildToolPermissions,
  sessions,
  characters,
  users,
} from '../src/index.js'
import { addGuild, addMember, addUser, migratedDb } from './helpers.js'

t.test('the schema refuses what the contract refuses', async (t) => {
  const { handle } = await migratedDb(t, 'db_constraints')
  const { db } = handle
  await addUser(handle, 1)
  await addGuild(handle, 10)

  await t.test('ranks outside 0..9', async (t) => {
    for (const rank of [-1, 10]) {
      await t.rejects(
        addMember(handle, 10, 1, rank),
        { cause: { code: CHECK_VIOLATION, constraint_name: 'guild_members_rank_ck' } },
        `member rank ${rank}`,
      )
      await t.rejects(db.insert(guildToolPermissions).values({ guildId: 10, tool: 'roster', maxRank: rank }), {
        cause: { code: CHECK_VIOLATION, constraint_name: 'guild_tool_permissions_max_rank_ck' },
      })
    }
    for (const rank of [0, 9]) await addMember(handle, 10, 1, rank)
    await db.insert(guildToolPermissions).values([
      { guildId: 10, tool: 'a', maxRank: 0 },
      { guildId: 10, tool: 'b', maxRank: 9 },
    ])
    t.pass('0 and 9 are taken')
  })

  await t.test('tool names off the pattern', async (t) => {
    for (const tool of ['', 'Roster', '1abc', '-a', 'a_b', 'a:b', 'a*', 'a'.repeat(33), 'rôster']) {
      await t.rejects(
        db.insert(guildToolPermissions).values({ guildId: 10, tool, maxRank: 1 }),
        { cause: { code: CHECK_VIOLATION, constraint_name: 'guild_tool_permissions_tool_ck' } },
        JSON.stringify(tool),
      )
    }
    await db.insert(guildToolPermissions).values({ guildId: 10, tool: 'p' + 'x'.repeat(31), maxRank: 1 })
    t.pass('32 characters are taken')
  })

  await t.test('one map entry per (guild, tool); one roster row per (guild, character)', async (t) => {
    await db.insert(guildToolPermissions).values({ guildId: 10, tool: 'roster', maxRank: 9 })
    await t.rejects(db.insert(guildToolPermissions).values({ guildId: 10, tool: 'roster', maxRank: 2 }), {
      cause: { code: UNIQUE_VIOLATION },
    })
    const characterId = await addMember(handle, 10, 1, 3)
    await t.rejects(
      db
        .insert(guildMembers)
        .values({ guildId: 10, characterId, name: 'X', realm: 'r', level: 1, classId: 1, rank: 3 }),
      {
        cause: { code: UNIQUE_VIOLATION, constraint_name: 'guild_members_pk' },
      },
    )
  })

  await t.test('guilds: region and (region, realm, name) uniqueness', async (t) => {
    await t.rejects(
      db.insert(guilds).values({ id: 11, region: 'xx' as 'us', realmSlug: 'r', nameSlug: 'n', name: 'N' }),
      {
        cause: { code: CHECK_VIOLATION, constraint_name: 'guilds_region_ck' },
      },
    )
    await db.insert(guilds).values({ id: 12, region: 'eu', realmSlug: 'r', nameSlug: 'n', name: 'N' })
    const again = await db
      .insert(guilds)
      .values({ id: 13, region: 'eu', realmSlug: 'r', nameSlug: 'n', name: 'N' })
      .then(
        () => undefined,
        (error: unknown) => error,
      )
    t.equal(postgresErrorOf(again)?.code, UNIQUE_VIOLATION, "postgresErrorOf reads through drizzle's wrapper")
    t.equal(isUniqueViolation(again, 'guilds_region_realm_name_uq'), true)
    t.equal(isUniqueViolation(again, 'guilds_pkey'), false, 'another constraint')
    const sameId = await db
      .insert(guilds)
      .values({ id: 12, region: 'us', realmSlug: 'x', nameSlug: 'y', name: 'Y' })
      .then(
        () => undefined,
        (error: unknown) => error,
      )
    t.equal(isUniqueViolation(sameId, 'guilds_pkey'), true, 'a Battle.net guild id registered twice')
    t.equal(isUniqueViolation(new Error('plain')), false)
    t.equal(postgresErrorOf('not an error'), undefined)
    await db.insert(guilds).values({ id: 14, region: 'us', realmSlug: 'r', nameSlug: 'n', name: 'N' })
    t.pass('the same realm and name in another region is another guild')
  })

  await t.test('sessions hold a SHA-256 hex, never a token', async (t) => {
    const expiresAt = new Date(Date.now() + 60_000)
    await t.rejects(db.insert(sessions).values({ tokenHash: 'a-raw-session-token', bnetId: 1, expiresAt }), {
      cause: { code: CHECK_VIOLATION, constraint_name: 'sessions_token_hash_ck' },
    })
    const tokenHash = createHash('sha256').update('token').digest('hex')
    await db.insert(sessions).values({ tokenHash, bnetId: 1, expiresAt })
    const [row] = await db.select().from(sessions).where(eq(sessions.tokenHash, tokenHash))
    t.equal(row?.expiresAt.getTime(), expiresAt.getTime(), 'timestamps come back as Dates')
  })

  await t.test('foreign keys: a member or map of an unknown guild is refused', async (t) => {
    await t.rejects(addMember(handle, 999, 1, 1), { cause: { code: FK_VIOLATION } })
    await t.rejects(db.insert(guildToolPermissions).values({ guildId: 999, tool: 'roster', maxRank: 1 }), {
      cause: { code: FK_VIOLATION },
    })
  })

  await t.test('settings are a JSON object, {} by default', async (t) => {
    await db.insert(guildSettings).values({ guildId: 10 })
    t.same((await db.select().from(guildSettings))[0]?.settings, {})
    const settings = { motd: "it's raid night", nested: { a: [1, 2], b: null }, big: 2 ** 40 }
    await db.update(guildSettings).set({ settings }).where(eq(guildSettings.guildId, 10))
    t.same((await db.select().from(guildSettings))[0]?.settings, settings)
    t.same(
      await handle.sql`select jsonb_typeof(settings) as kind from guild_settings`,
      [{ kind: 'object' }],
      'stored as an object, not a JSON string',
    )
  })

  await t.test('deleting a guild deletes its roster, map and settings', async (t) => {
    await db.delete(guilds).where(eq(guilds.id, 10))
    for (const table of [guildMembers, guildToolPermissions, guildSettings]) {
      t.same(await db.select().from(table).where(eq(table.guildId, 10)), [])
    }
  })

  await t.test('deleting a user deletes their characters and sessions and unlinks their roster rows', async (t) => {
    await addUser(handle, 2)
    await addGuild(handle, 20)
    const characterId = await addMember(handle, 20, 2, 4)
    await db
      .insert(characters)
      .values({ id: characterId, bnetId: 2, name: 'Alt', realm: 'area-52', level: 80, classId: 3 })
    await db
      .insert(sessions)
      .values({ tokenHash: createHash('sha256').update('t2').digest('hex'), bnetId: 2, expiresAt: new Date() })
    await db.delete(users).where(eq(users.bnetId, 2))
    t.same(await db.select().from(characters).where(eq(characters.bnetId, 2)), [])
    t.same(await db.select().from(sessions).where(eq(sessions.bnetId, 2)), [])
    const [member] = await db.select().from(guildMembers).where(eq(guildMembers.characterId, characterId))
    t.equal(member?.bnetId, null, 'the character stays in the roster, owned by nobody')
  })

  await t.test('updated_at moves on update through drizzle', async (t) => {
    await addUser(handle, 3)
    const [before] = await db.select().from(users).where(eq(users.bnetId, 3))
    await new Promise((r) => setTimeout(r, 20))
    await db.update(users).set({ battletag: 'Renamed#3' }).where(eq(users.bnetId, 3))
    const [after] = await db.select().from(users).where(eq(users.bnetId, 3))
    t.ok(after!.updatedAt.getTime() > before!.updatedAt.getTime())
  })

  await t.test('the permission lookup is an index scan on guild_members', async (t) => {
    const plan = (
      await handle.sql.unsafe(
        `explain (format text) select min(rank) from guild_members where guild_id = 10 and bnet_id = 1`,
      )
    )
      .map((r) => Object.values(r)[0])
      .join('\n')
    // With a few rows a seq scan is cheaper; forbid it to prove the index fits the query.
    await handle.sql.begin(async (tx) => {
      await tx`set local enable_seqscan = off`
      const forced = (
        await tx.unsafe(`explain select min(rank) from guild_members where guild_id = 10 and bnet_id = 1`)
      )
        .map((r) => Object.values(r)[0])
        .join('\n')
      t.match(forced, /guild_members_permission_idx/, forced)
    })
    t.ok(plan.length > 0)
  })
})
