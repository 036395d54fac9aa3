import t from 'tap'
import { defaultToolPermissions } from '@guild/contract'
import { checkPermission, checkPermissions, InvalidPermissionCheckError } from '../src/index.js'
import { addGuild, addMember, addUser, migratedDb } from './helpers.js'

const GUILD = 9001
const OTHER_GUILD = 9002
const GM = 100
const OFFICER = 101
const RAIDER = 105
const ALT_OWNER = 106
const OUTSIDER = 199
const IN_OTHER_GUILD_ONLY = 200

t.test('the contract rules', async (t) => {
  const { handle } = await migratedDb(t, 'db_rules')
  for (const id of [GM, OFFICER, RAIDER, ALT_OWNER, OUTSIDER, IN_OTHER_GUILD_ONLY]) await addUser(handle, id)
  await addGuild(handle, GUILD, { ...defaultToolPermissions(), progress: 5 })
  await addGuild(handle, OTHER_GUILD, { roster: 9 })
  await addMember(handle, GUILD, GM, 0)
  await addMember(handle, GUILD, OFFICER, 1)
  await addMember(handle, GUILD, RAIDER, 5)
  // One user, three characters in the guild: the best (lowest) rank is theirs.
  await addMember(handle, GUILD, ALT_OWNER, 8)
  await addMember(handle, GUILD, ALT_OWNER, 2)
  await addMember(handle, GUILD, ALT_OWNER, 7)
  // A roster character nobody has claimed must not grant anything to anyone.
  await addMember(handle, GUILD, null, 0)
  await addMember(handle, OTHER_GUILD, IN_OTHER_GUILD_ONLY, 0)

  const may = (bnetId: number, tool: string, guildId = GUILD) => checkPermission(handle, guildId, bnetId, tool)

  await t.test('a rank at or below the tool rank may use it; above may not', async (t) => {
    t.equal(await may(RAIDER, 'progress'), true, 'rank 5, tool rank 5')
    t.equal(await may(OFFICER, 'progress'), true, 'rank 1, tool rank 5')
    t.equal(await may(RAIDER, 'settings'), false, 'rank 5, tool rank 1')
    t.equal(await may(OFFICER, 'settings'), true, 'rank 1, tool rank 1')
    t.equal(await may(RAIDER, 'roster'), true, 'rank 5, tool rank 9')
  })

  await t.test('rank 0 may use every tool, listed or not', async (t) => {
    for (const tool of ['roster', 'settings', 'sync', 'permissions', 'never-listed'])
      t.equal(await may(GM, tool), true, tool)
  })

  await t.test('a tool absent from the map is for rank 0 alone', async (t) => {
    t.equal(await may(GM, 'permissions'), true)
    t.equal(await may(OFFICER, 'permissions'), false, 'rank 1 is refused an unlisted tool')
    t.equal(await may(RAIDER, 'calendar'), false)
  })

  await t.test('a user with no character in the roster may use nothing there', async (t) => {
    t.equal(await may(OUTSIDER, 'roster'), false, 'a registered user outside the guild')
    t.equal(await may(IN_OTHER_GUILD_ONLY, 'roster'), false, 'the guild master of another guild')
    t.equal(await may(IN_OTHER_GUILD_ONLY, 'roster', OTHER_GUILD), true, 'but in their own guild, yes')
    t.equal(await may(987654321, 'roster'), false, 'an id no table knows')
  })

  await t.test('an unknown guild answers false for everyone', async (t) => {
    t.equal(await may(GM, 'roster', 424242), false)
    t.equal(await may(GM, 'never-listed', 424242), false)
  })

  await t.test('a user with several characters in the guild uses their best rank', async (t) => {
    t.equal(await may(ALT_OWNER, 'settings'), false, 'rank 2 may not use a rank-1 tool')
    t.equal(await may(ALT_OWNER, 'progress'), true, 'rank 2 may use a rank-5 tool although two alts are rank 7 and 8')
  })

  await t.test('the answers follow the data: a rank change or a new map is seen at once', async (t) => {
    await handle.sql`update guild_members set rank = 1 where guild_id = ${GUILD} and bnet_id = ${RAIDER}`
    t.equal(await may(RAIDER, 'settings'), true)
    await handle.sql`update guild_tool_permissions set max_rank = 0 where guild_id = ${GUILD} and tool = 'settings'`
    t.equal(await may(RAIDER, 'settings'), false)
    t.equal(await may(GM, 'settings'), true)
  })

  await t.test('ids beyond 2^31 are compared as bigint, not truncated', async (t) => {
    const bigUser = 2 ** 40 + 3
    const bigGuild = 2 ** 52 + 1
    await addUser(handle, bigUser)
    await addGuild(handle, bigGuild, { roster: 3 })
    await addMember(handle, bigGuild, bigUser, 3)
    t.equal(await may(bigUser, 'roster', bigGuild), true)
    t.equal(await may(bigUser - 1, 'roster', bigGuild), false, 'a neighbouring id is another user')
  })

  await t.test('inputs that break the contract are refused before any query', async (t) => {
    const before = handle.stats.permissionQueries
    const cases: [unknown, unknown, unknown, string][] = [
      [0, GM, 'roster', 'guildId'],
      [GUILD, -1, 'roster', 'bnetId'],
      [GUILD, 1.5, 'roster', 'bnetId'],
      [2 ** 53, GM, 'roster', 'guildId'],
      ['9001', GM, 'roster', 'guildId'],
      [GUILD, GM, 'Roster', 'tool'],
      [GUILD, GM, 'a'.repeat(33), 'tool'],
      [GUILD, GM, "roster'; drop table guilds; --", 'tool'],
    ]
    for (const [guildId, bnetId, tool, field] of cases) {
      await t.rejects(checkPermission(handle, guildId as number, bnetId as number, tool as string), {
        name: 'InvalidPermissionCheckError',
        field,
      })
    }
    await t.rejects(
      checkPermissions(handle, [
        { guildId: GUILD, bnetId: GM, tool: 'roster' },
        { guildId: GUILD, bnetId: GM, tool: '' },
      ]),
      {
        field: 'items[1].tool',
        message: /items\[1\]\.tool must match/,
      },
    )
    await t.rejects(checkPermissions(handle, [null as never]), InvalidPermissionCheckError)
    await t.rejects(checkPermissions(handle, 'nope' as never), { name: 'InvalidPermissionCheckError', field: 'items' })
    t.equal(handle.stats.permissionQueries, before, 'no query was sent')
  })
})
