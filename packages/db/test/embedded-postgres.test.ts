import t from 'tap'
import { PGlite } from '@electric-sql/pglite'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'
import { freePort } from '@guild/testing'
import { defaultToolPermissions } from '@guild/contract'
import {
  checkPermission,
  checkPermissions,
  createDb,
  eq,
  guildSettings,
  migrate,
  waitForSchema,
  type DbHandle,
  type PermissionCheck,
} from '../src/index.js'
import { addGuild, addMember, addUser, journalEntries } from './helpers.js'

// `npm start` serves PGlite over the wire protocol and gives every postgres.js client a pool of 1;
// this runs the package there the same way: in-memory PGlite, the socket server, createDb({ max: 1 }).
t.test('on PGlite over the wire protocol', async (t) => {
  const pglite = await PGlite.create()
  const port = await freePort()
  const server = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port, maxConnections: 20 })
  await server.start()
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`
  const handles: DbHandle[] = []
  const open = (options: Partial<Parameters<typeof createDb>[0]> = {}) => {
    const h = createDb({ url, max: 1, ...options })
    handles.push(h)
    return h
  }
  t.teardown(async () => {
    await Promise.all(handles.map((h) => h.close()))
    await server.stop()
    await pglite.close()
  })

  const statements: string[] = []
  const api = open({ onQuery: (q) => statements.push(q) }) // as guild-api
  const checker = open() // as permission-service

  await t.test('the read-only service waits while the other migrates, both at once', async (t) => {
    const waiting = waitForSchema(checker, { timeoutMs: 15_000, intervalMs: 25 })
    await Promise.all([migrate(api), migrate(open())])
    await waiting
    await migrate(api)
    t.same(
      (
        await api.sql`select table_name as t from information_schema.tables where table_schema = 'public' order by 1`
      ).map((r) => r.t),
      [
        'cache_outbox',
        'characters',
        'guild_members',
        'guild_settings',
        'guild_tool_permissions',
        'guilds',
        'sessions',
        'users',
      ],
    )
    t.same(
      await api.sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
      [{ n: await journalEntries() }],
      'each committed migration applied once',
    )
  })

  await t.test('the statement-timeout startup parameter is accepted (and ignored: see the README)', async (t) => {
    t.equal(await checker.ping(), true, 'the connection carrying it works')
    // PGlite answers the startup packet without applying its parameters, and a WASM backend has no
    // timer to cancel a statement with anyway; the services' own deadlines bound a request there.
    t.same(await checker.sql`select current_setting('statement_timeout') as v`, [{ v: '0' }])
  })

  await t.test('the permission query and its rules', async (t) => {
    for (const id of [1, 2, 3]) await addUser(api, id)
    await addGuild(api, 9001, defaultToolPermissions())
    await addMember(api, 9001, 1, 0)
    await addMember(api, 9001, 2, 1)
    await addMember(api, 9001, 2, 6)
    await addMember(api, 9001, 3, 5)
    const items: PermissionCheck[] = [
      { guildId: 9001, bnetId: 3, tool: 'settings' },
      { guildId: 9001, bnetId: 2, tool: 'settings' },
      { guildId: 9001, bnetId: 1, tool: 'permissions' },
      { guildId: 9001, bnetId: 2, tool: 'permissions' },
      { guildId: 9001, bnetId: 3, tool: 'roster' },
      { guildId: 9001, bnetId: 99, tool: 'roster' },
      { guildId: 4242, bnetId: 1, tool: 'roster' },
      { guildId: 9001, bnetId: 3, tool: 'settings' },
    ]
    t.same(await checkPermissions(checker, items), [false, true, true, false, true, false, false, false])
    t.equal(await checkPermission(checker, 9001, 2, 'sync'), true)

    const many = Array.from({ length: 100 }, (_, i) => items[i % items.length]!)
    statements.length = 0
    const answers = await checkPermissions(api, many)
    t.equal(statements.length, 1, '100 items, one statement')
    t.same(
      answers,
      many.map((_, i) => [false, true, true, false, true, false, false, false][i % items.length]),
    )
  })

  await t.test('prepared statements, transactions and jsonb work through the socket', async (t) => {
    for (let i = 0; i < 3; i++) t.equal(await checkPermission(checker, 9001, 1, 'roster'), true, `prepared run ${i}`)
    await api.db.insert(guildSettings).values({ guildId: 9001, settings: { motd: 'hi' } })
    await api.db.transaction(async (tx) => {
      await tx
        .update(guildSettings)
        .set({ settings: { motd: 'raid' } })
        .where(eq(guildSettings.guildId, 9001))
    })
    t.same((await checker.db.select().from(guildSettings))[0]?.settings, { motd: 'raid' })
  })

  await t.test('both clients querying at once get their own answers', async (t) => {
    const rounds = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0 ? checkPermission(checker, 9001, 3, 'roster') : checkPermission(api, 9001, 3, 'settings'),
      ),
    )
    t.same(
      rounds,
      Array.from({ length: 20 }, (_, i) => i % 2 === 0),
    )
  })
})
