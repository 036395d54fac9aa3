import t from 'tap'
import { startHarness } from '../helpers/harness.js'

t.test("only the guild master in Battle.net's roster registers a guild; the roster comes along", async (t) => {
  const h = await startHarness(t)
  const [thrall, saurfang, rokhan] = [
    await h.login('Thrall#1234'),
    await h.login('Saurfang#2345'),
    await h.login('Rokhan#3456'),
  ]

  // Rokhan's profile is cached before the guild exists…
  t.same((await h.as(rokhan).get('/me')).json<{ guilds: unknown[] }>().guilds, [])
  t.equal(await h.redis?.redis.exists('user:profile:100003'), 1)

  const officer = await h.as(saurfang).post('/guilds', { realm: 'area-52', name: 'Horde Vanguard' })
  t.equal(officer.statusCode, 403, 'rank 1 may not register')
  t.match(officer.json(), { statusCode: 403, error: 'Forbidden', message: /rank 0/ })
  t.equal(await h.redis?.redis.exists('user:profile:100003'), 1, 'a refused registration invalidates nothing')

  const res = await h.as(thrall).post('/guilds', { realm: 'Area 52', name: 'Horde  Vanguard' })
  t.equal(res.statusCode, 201, res.body)
  const body = res.json<Record<string, unknown>>()
  t.match(body, {
    guild_id: 9001,
    name: 'Horde Vanguard',
    realm: 'area-52',
    region: 'us',
    faction: 'HORDE',
    member_count: 8,
    created_at: String,
    synced_at: String,
  })
  t.ok(!Number.isNaN(Date.parse(body.created_at as string)))

  // …and invalidated by the registration, so his /me lists the guild with his best rank at once.
  t.same((await h.as(rokhan).get('/me')).json<{ guilds: unknown[] }>().guilds, [
    { guild_id: 9001, name: 'Horde Vanguard', realm: 'area-52', rank: 4 },
  ])
  t.same((await h.as(thrall).get('/me')).json<{ guilds: unknown[] }>().guilds, [
    { guild_id: 9001, name: 'Horde Vanguard', realm: 'area-52', rank: 0 },
  ])

  const members = await h.as(thrall).get('/guilds/9001/members')
  t.equal(members.statusCode, 200)
  t.equal(members.json<unknown[]>().length, 8)
  t.same(members.json<unknown[]>()[1], {
    character_id: 5101,
    name: 'Saurfang',
    realm: 'area-52',
    level: 80,
    class_id: 1,
    rank: 1,
  })
  t.same((await h.as(thrall).get('/guilds/9001/permissions')).json(), { tools: { roster: 9, settings: 1, sync: 1 } })
  t.same((await h.as(thrall).get('/guilds/9001/settings')).json(), {})
  const linked = await h.app.db
    .sql`select character_id, bnet_id from guild_members where bnet_id is not null order by character_id`
  t.same(
    linked.map((r) => [Number(r.character_id), Number(r.bnet_id)]),
    [
      [5001, 100001],
      [5101, 100002],
      [5201, 100003],
      [5202, 100003],
    ],
    'known users linked to their characters',
  )

  const again = await h.as(thrall).post('/guilds', { realm: 'area-52', name: 'horde vanguard' })
  t.equal(again.statusCode, 409)
  t.match(again.json(), { statusCode: 409, error: 'Conflict', message: /registered already/ })
})

t.test('a guild Battle.net does not know is 404; a guild the caller is not in is 403', async (t) => {
  const h = await startHarness(t, { permissionService: false })
  const thrall = await h.login('Thrall#1234')
  const unknown = await h.as(thrall).post('/guilds', { realm: 'area-52', name: 'No Such Guild' })
  t.equal(unknown.statusCode, 404)
  t.match(unknown.json<{ message: string }>().message, /no-such-guild/)
  const foreign = await h.as(thrall).post('/guilds', { realm: 'proudmoore', name: 'Kirin Tor Council' })
  t.equal(foreign.statusCode, 403)
  t.equal((await h.as(undefined).post('/guilds', { realm: 'area-52', name: 'Horde Vanguard' })).statusCode, 401)
  t.equal((await h.app.db.sql`select count(*)::int as n from guilds`)[0]?.n, 0, 'nothing registered')

  const jaina = await h.login('Jaina#4567')
  const kirin = await h.as(jaina).post('/guilds', { region: 'us', realm: 'proudmoore', name: 'Kirin Tor Council' })
  t.equal(kirin.statusCode, 201)
  t.match(kirin.json(), { guild_id: 9002, faction: 'ALLIANCE', member_count: 2 })
})

t.test("rank 0 is read from Battle.net's roster at the time of the registration", async (t) => {
  const h = await startHarness(t, { permissionService: false })
  const chromie = await h.login('Chromie#5678')
  await h.standin.edit((f) => {
    const guild = f.guilds.find((g) => g.id === 9002)
    guild?.roster.push({ character_id: 5401, rank: 0 })
  })
  t.equal(
    (await h.as(chromie).post('/guilds', { realm: 'proudmoore', name: 'Kirin Tor Council' })).statusCode,
    201,
    'rank 0 now',
  )
})
