import t from 'tap'
import { BULLMQ_STRUCTURES } from '../../../../chaos/fuzz/index.mjs'
import { keysMatching, registerHordeVanguard, startHarness, type Harness } from '../helpers/harness.js'

const rankOf = (me: { guilds: Array<{ guild_id: number; rank: number }> }, guildId = 9001) =>
  me.guilds.find((g) => g.guild_id === guildId)?.rank

async function cached(h: Harness, key: string): Promise<unknown> {
  const raw = await h.redis?.redis.get(key)
  return raw === null || raw === undefined ? null : JSON.parse(raw)
}

t.test('PUT permissions: every cached answer for the guild goes, the next check sees the new map', async (t) => {
  const h = await startHarness(t)
  const gm = h.as(await registerHordeVanguard(h))
  const raider = h.as(await h.login('Rokhan#3456'))

  t.equal((await raider.post('/guilds/9001/sync')).statusCode, 403)
  t.same((await raider.get('/guilds/9001/me/tools?tools=sync,progress')).json(), {
    tools: { sync: false, progress: false },
  })
  t.same(await cached(h, 'permission:9001:100003:sync'), { has_access: false }, 'the refusal is cached')

  t.equal(
    (await gm.put('/guilds/9001/permissions', { tools: { roster: 9, settings: 1, sync: 4, progress: 6 } })).statusCode,
    200,
  )
  t.equal(await cached(h, 'permission:9001:100003:sync'), null, 'and dropped by the change')
  t.same((await raider.get('/guilds/9001/me/tools?tools=sync,progress')).json(), {
    tools: { sync: true, progress: true },
  })
  t.equal((await raider.post('/guilds/9001/sync')).statusCode, 200, 'the very next check allows it')

  await gm.put('/guilds/9001/permissions', { tools: { roster: 9, settings: 1, sync: 1 } })
  t.equal((await raider.post('/guilds/9001/sync')).statusCode, 403, 'and the next one refuses it again')
})

t.test('PUT settings: the next read shows the new settings', async (t) => {
  const h = await startHarness(t)
  const gm = h.as(await registerHordeVanguard(h))
  const raider = h.as(await h.login('Rokhan#3456'))
  t.same((await raider.get('/guilds/9001/settings')).json(), {})
  t.same(await cached(h, 'guild:9001:settings'), {}, 'cached as the settings object')
  const ttl = await h.redis?.redis.ttl('guild:9001:settings')
  t.ok(ttl !== undefined && ttl > 0 && ttl <= 600, `settings TTL ${ttl}`)

  t.equal((await gm.put('/guilds/9001/settings', { motd: 'Raid at 8' })).statusCode, 200)
  t.same((await raider.get('/guilds/9001/settings')).json(), { motd: 'Raid at 8' })
  t.same(await cached(h, 'guild:9001:settings'), { motd: 'Raid at 8' })
})

t.test('a rank change in Battle.net is picked up by sync and by the very next check', async (t) => {
  const h = await startHarness(t)
  const gm = h.as(await registerHordeVanguard(h))
  const officer = h.as(await h.login('Saurfang#2345'))

  // Warm every cache that shows Saurfang's rank: his permission answers, his profile, the member list.
  t.equal((await officer.put('/guilds/9001/settings', { motd: 'before' })).statusCode, 200)
  t.equal(rankOf((await officer.get('/me')).json()), 1)
  const firstAnswer = await officer.get('/guilds/9001/members')
  const membersBefore = firstAnswer.json<Array<{ character_id: number; rank: number }>>()
  t.same(await cached(h, 'guild:9001:members'), membersBefore, 'the members key holds exactly the answer')
  for (let i = 0; i < 2; i++) {
    // From the cache's memory now, as a body serialized once: the very bytes and type of the first answer.
    const again = await officer.get('/guilds/9001/members')
    t.equal(again.body, firstAnswer.body, 'a repeated read answers the same bytes')
    t.equal(again.headers['content-type'], firstAnswer.headers['content-type'])
    t.equal(again.headers['content-length'], firstAnswer.headers['content-length'])
  }
  const ttl = await h.redis?.redis.ttl('guild:9001:members')
  t.ok(ttl !== undefined && ttl > 0 && ttl <= 300, `members TTL ${ttl}`)

  await h.standin.edit((f) => {
    const entry = f.guilds[0]?.roster.find((m) => m.character_id === 5101)
    if (entry) entry.rank = 5
  })
  t.equal(
    (await officer.put('/guilds/9001/settings', { motd: 'still cached' })).statusCode,
    200,
    'nothing changes before the sync',
  )

  const sync = await gm.post('/guilds/9001/sync')
  t.same(sync.json(), { added: 0, removed: 0, rank_changed: 1 })

  const refused = await officer.put('/guilds/9001/settings', { motd: 'after' })
  t.equal(refused.statusCode, 403, 'demoted: refused on the very next check')
  t.equal(rankOf((await officer.get('/me')).json()), 5, '/me shows the new rank')
  const members = (await officer.get('/guilds/9001/members')).json<Array<{ character_id: number; rank: number }>>()
  t.equal(members.find((m) => m.character_id === 5101)?.rank, 5, 'the member list too')
  const membersAgain = (await officer.get('/guilds/9001/members')).json<Array<{ character_id: number; rank: number }>>()
  t.same(membersAgain, members, 'and every read after it (no body serialized before the change is reused)')

  const again = await gm.post('/guilds/9001/sync')
  t.same(again.json(), { added: 0, removed: 0, rank_changed: 0 }, 'a second sync changes nothing')
})

t.test('sync adds and removes members; their profiles and permissions follow at once', async (t) => {
  const h = await startHarness(t)
  const gm = h.as(await registerHordeVanguard(h))
  const outsider = h.as(await h.login('Chromie#5678'))
  const raider = h.as(await h.login('Rokhan#3456'))

  t.same((await outsider.get('/me')).json<{ guilds: unknown[] }>().guilds, [])
  t.equal((await outsider.get('/guilds/9001/members')).statusCode, 403)
  t.equal(rankOf((await raider.get('/me')).json()), 4)
  t.equal((await raider.get('/guilds/9001/members')).statusCode, 200)

  await h.standin.edit((f) => {
    const roster = f.guilds[0]?.roster ?? []
    roster.push(
      { character_id: 5401, rank: 8 },
      { character_id: 6005, rank: 9, name: 'Nazgrim', level: 80, class_id: 6 },
    )
    f.guilds[0]!.roster = roster.filter(
      (m) => m.character_id !== 6004 && m.character_id !== 5201 && m.character_id !== 5202,
    )
  })
  t.same((await gm.post('/guilds/9001/sync')).json(), { added: 2, removed: 3, rank_changed: 0 })

  t.same((await outsider.get('/me')).json<{ guilds: unknown[] }>().guilds, [
    { guild_id: 9001, name: 'Horde Vanguard', realm: 'area-52', rank: 8 },
  ])
  t.equal((await outsider.get('/guilds/9001/members')).statusCode, 200, 'a new member may use roster at once')
  t.same(
    (await raider.get('/me')).json<{ guilds: unknown[] }>().guilds,
    [],
    'a removed member loses the guild from /me',
  )
  t.equal((await raider.get('/guilds/9001/members')).statusCode, 403, 'and its tools')
  t.equal((await raider.get('/guilds/9001')).statusCode, 403, 'and membership')
  const names = (await gm.get('/guilds/9001/members')).json<Array<{ name: string }>>().map((m) => m.name)
  t.ok(names.includes('Nazgrim') && names.includes('Chromie') && !names.includes('Eitrigg'))
})

t.test("a login that changes the user's characters refreshes their /me and permissions", async (t) => {
  const h = await startHarness(t)
  await registerHordeVanguard(h)
  const rokhan = h.as(await h.login('Rokhan#3456'))
  const chromie = h.as(await h.login('Chromie#5678'))
  t.same(
    (await rokhan.get('/me')).json<{ characters: Array<{ name: string }> }>().characters.map((c) => c.name),
    ['Rokhan', 'Zentabra'],
  )
  t.equal((await chromie.get('/guilds/9001/members')).statusCode, 403)

  // Zentabra (rank 6 in Horde Vanguard) levels up and moves from Rokhan's account to Chromie's.
  await h.standin.edit((f) => {
    const rok = f.users.find((u) => u.id === 100003)!
    const zentabra = rok.characters.find((c) => c.id === 5202)!
    rok.characters = rok.characters.filter((c) => c.id !== 5202)
    f.users.find((u) => u.id === 100005)!.characters.push({ ...zentabra, level: 73 })
  })
  await h.login('Chromie#5678')

  t.same(
    (await rokhan.get('/me')).json<{ characters: Array<{ name: string }> }>().characters.map((c) => c.name),
    ['Rokhan'],
    'the loser sees it gone',
  )
  const me = (await chromie.get('/me')).json<{
    characters: Array<{ name: string; level: number }>
    guilds: unknown[]
  }>()
  t.same(
    me.characters.map((c) => [c.name, c.level]),
    [
      ['Chromie', 80],
      ['Zentabra', 73],
    ],
  )
  t.same(me.guilds, [{ guild_id: 9001, name: 'Horde Vanguard', realm: 'area-52', rank: 6 }])
  t.equal((await chromie.get('/guilds/9001/members')).statusCode, 200, 'her permissions follow at once')
})

t.test('every key written has a contract name and a TTL within the bounds', async (t) => {
  const h = await startHarness(t)
  const gm = h.as(await registerHordeVanguard(h))
  await gm.get('/me')
  await gm.get('/guilds/9001/members')
  await gm.get('/guilds/9001/settings')
  await gm.get('/guilds/9001/me/tools?tools=roster,sync')
  await gm.post('/guilds/9001/sync')
  await gm.get('/guilds/9001/members')
  const redis = h.redis!.redis
  const all = await keysMatching(h)
  t.ok(all.length > 0)
  const limits: Array<[RegExp, number]> = [
    [/^permission:9001:\d+:[a-z][a-z0-9-]*$/, 300],
    [/^guild:9001:members$/, 300],
    [/^guild:9001:settings$/, 600],
    [/^user:profile:\d+$/, 600],
    [/^user:session:[0-9a-f]{64}$/, 600],
    [/^cache:/, 86_400],
  ]
  for (const key of all) {
    // BullMQ's own structures carry no TTL by its design (README, "Scheduled roster sync"): exactly these, each
    // bounded.
    if (BULLMQ_STRUCTURES.test(key)) {
      t.ok((await redis.ttl(key)) <= 86_400, `${key} is one of BullMQ's structures`)
      continue
    }
    const limit = limits.find(([re]) => re.test(key))?.[1]
    t.ok(limit !== undefined, `${key} is a name the contract allows`)
    const ttl = await redis.ttl(key)
    t.ok(ttl > 0 && ttl <= (limit ?? 0), `${key} TTL ${ttl} ≤ ${limit}`)
  }
  t.ok(
    all.some((k) => k.startsWith('cache:bnet:app-token:')),
    "Battle.net's application token is kept under a cache: key",
  )
})
