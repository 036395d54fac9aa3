import t from 'tap'
import { checkPermissions, type PermissionCheck, type PermissionQueryEvent } from '../src/index.js'
import { addGuild, addMember, addUser, migratedDb } from './helpers.js'

t.test('batches', async (t) => {
  const statements: string[] = []
  const events: PermissionQueryEvent[] = []
  const { handle } = await migratedDb(t, 'db_batch', {
    onQuery: (query) => statements.push(query),
    onPermissionQuery: (event) => events.push(event),
  })
  const guild = 7001
  const tools = ['roster', 'settings', 'sync', 'progress', 'unlisted']
  await addGuild(handle, guild, { roster: 9, settings: 1, sync: 1, progress: 4 })
  // Users 1..10 with rank (id - 1): user 1 is the guild master, user 10 rank 9.
  for (let id = 1; id <= 10; id++) {
    await addUser(handle, id)
    await addMember(handle, guild, id, id - 1)
  }
  const expected = (c: PermissionCheck): boolean => {
    if (c.guildId !== guild || c.bnetId > 10) return false
    const rank = c.bnetId - 1
    const toolRank = ({ roster: 9, settings: 1, sync: 1, progress: 4 } as Record<string, number>)[c.tool]
    return rank === 0 || (toolRank !== undefined && rank <= toolRank)
  }
  const counted = async (items: PermissionCheck[]) => {
    statements.length = 0
    events.length = 0
    const answers = await checkPermissions(handle, items)
    return { answers, statements: [...statements], events: [...events] }
  }

  await t.test('answers come back in input order', async (t) => {
    const items: PermissionCheck[] = [
      { guildId: guild, bnetId: 10, tool: 'settings' },
      { guildId: guild, bnetId: 1, tool: 'unlisted' },
      { guildId: 424242, bnetId: 1, tool: 'roster' },
      { guildId: guild, bnetId: 5, tool: 'progress' },
      { guildId: guild, bnetId: 6, tool: 'progress' },
      { guildId: guild, bnetId: 99, tool: 'roster' },
      { guildId: guild, bnetId: 2, tool: 'sync' },
    ]
    const { answers } = await counted(items)
    t.same(answers, [false, true, false, true, false, false, true])
    t.same(answers, items.map(expected))
    t.same(
      await checkPermissions(handle, [...items].reverse()),
      items.map(expected).reverse(),
      'reversed input, reversed answers',
    )
  })

  await t.test('duplicates each get their answer', async (t) => {
    const a = { guildId: guild, bnetId: 3, tool: 'settings' }
    const b = { guildId: guild, bnetId: 2, tool: 'settings' }
    t.same(await checkPermissions(handle, [a, b, a, a, b]), [false, true, false, false, true])
  })

  await t.test('100 items are answered by exactly one query', async (t) => {
    const items: PermissionCheck[] = []
    for (let i = 0; i < 100; i++) {
      items.push({ guildId: i % 13 === 0 ? 424242 : guild, bnetId: (i % 12) + 1, tool: tools[i % tools.length]! })
    }
    const before = handle.stats.permissionQueries
    const { answers, statements, events } = await counted(items)
    t.equal(answers.length, 100)
    t.same(answers, items.map(expected), 'every answer matches the rule')
    t.ok(answers.includes(true) && answers.includes(false), 'a mix of answers, not one constant')
    t.equal(statements.length, 1, 'one statement on the wire')
    t.match(statements[0], /unnest/)
    t.equal(handle.stats.permissionQueries - before, 1, 'the counter saw one query')
    t.equal(events.length, 1)
    t.match(events[0], { items: 100, ok: true })
    t.ok(events[0]!.durationMs >= 0)
  })

  await t.test('1000 items: still one query', async (t) => {
    const items = Array.from({ length: 1000 }, (_, i) => ({
      guildId: guild,
      bnetId: (i % 10) + 1,
      tool: tools[i % 5]!,
    }))
    const { answers, statements } = await counted(items)
    t.equal(statements.length, 1)
    t.same(answers, items.map(expected))
  })

  await t.test('an empty batch sends nothing', async (t) => {
    const { answers, statements, events } = await counted([])
    t.same(answers, [])
    t.equal(statements.length, 0)
    t.equal(events.length, 0)
  })
})

t.test('a database that cannot answer gives a PermissionQueryError, never an answer', async (t) => {
  const events: PermissionQueryEvent[] = []
  const { handle, pg } = await migratedDb(t, 'db_batch_down', { onPermissionQuery: (e) => events.push(e) })
  await pg.drop()
  await t.rejects(checkPermissions(handle, [{ guildId: 1, bnetId: 1, tool: 'roster' }]), {
    name: 'PermissionQueryError',
    message: /permission query for 1 check\(s\) failed/,
  })
  t.match(events, [{ items: 1, ok: false }])
})
