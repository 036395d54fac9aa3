import t from 'tap'
import { fixtureProblem, type Fixtures } from '../../src/bnet-standin/fixtures.js'
import { nameSlug, realmName } from '../../src/bnet-standin/slugs.js'
import { clientToken, standinUnderTest, userToken } from '../helpers/standin.js'

const ROSTER = '/data/wow/guild/area-52/horde-vanguard/roster?namespace=profile-us'

t.test('an edit of the fixture file between two calls is seen by the second', async (t) => {
  const s = await standinUnderTest()
  t.teardown(s.close)
  const token = await clientToken(s.app)
  const headers = { authorization: `Bearer ${token}` }
  const before = (await s.app.inject({ url: ROSTER, headers })).json()
  t.equal(before.members.length, 8)

  const demo = await s.demo()
  const guild = demo.guilds[0] as Fixtures['guilds'][number]
  guild.roster = guild.roster.filter((entry) => entry.character_id !== 6004)
  guild.roster.push({ character_id: 6999, rank: 8, name: 'Newcomer', level: 10, class_id: 9 })
  const saurfang = guild.roster.find((entry) => entry.character_id === 5101)
  if (saurfang) saurfang.rank = 3
  await s.write(demo)

  const after = (await s.app.inject({ url: ROSTER, headers })).json()
  const ids = after.members.map((m: { character: { id: number } }) => m.character.id)
  t.notOk(ids.includes(6004), 'removed')
  t.ok(ids.includes(6999), 'added')
  t.equal(after.members.find((m: { character: { id: number } }) => m.character.id === 5101).rank, 3, 'rank changed')

  const thrall = await userToken(s.app, 'Thrall#1234')
  const renamed = await s.demo()
  ;(renamed.users[0] as Fixtures['users'][number]).characters[0]!.level = 81
  await s.write(renamed)
  const profile = (
    await s.app.inject({
      url: '/profile/user/wow?namespace=profile-us',
      headers: { authorization: `Bearer ${thrall}` },
    })
  ).json()
  t.equal(profile.wow_accounts[0].characters[0].level, 81)
})

t.test('a broken fixture file makes requests 500 with a message naming the file and the problem', async (t) => {
  const s = await standinUnderTest()
  t.teardown(s.close)
  await s.write('{ "users": [ ')
  const res = await s.app.inject({ url: '/oauth/authorize?client_id=a&redirect_uri=http%3A%2F%2Fx%2F' })
  t.equal(res.statusCode, 500)
  t.match(res.json(), {
    statusCode: 500,
    error: 'Internal Server Error',
    message: /fixture file .*fixtures\.json: is not valid JSON/,
  })
  const ready = await s.app.inject({ url: '/health/ready' })
  t.equal(ready.statusCode, 503)
  t.match(ready.json(), { fixtures: 'down', message: /not valid JSON/ })
  t.equal((await s.app.inject({ url: '/health/live' })).statusCode, 200)

  const demo = await s.demo()
  ;(demo.guilds[0] as Fixtures['guilds'][number]).roster.push({ character_id: 7777, rank: 4 })
  await s.write(demo)
  const roster = await s.app.inject({ method: 'POST', url: '/oauth/token', payload: {} })
  t.equal(roster.statusCode, 500)
  t.match(
    roster.json().message,
    /guilds\[0\]\.roster\[8\]\.name must be a non-empty string \(character 7777 belongs to no fixture user\)/,
  )

  await s.write(await s.demo())
  t.equal((await s.app.inject({ url: '/health/ready' })).statusCode, 200, 'fixed again')
})

t.test('a missing fixture file names the variable to set', async (t) => {
  const s = await standinUnderTest()
  t.teardown(s.close)
  const { rm } = await import('node:fs/promises')
  await rm(s.fixturesPath)
  const res = await s.app.inject({ url: '/oauth/userinfo' })
  t.equal(res.statusCode, 500)
  t.match(res.json().message, /does not exist; set BNET_STANDIN_FIXTURES/)
})

t.test('fixtureProblem names the first bad field by its path', async (t) => {
  const good = { users: [], guilds: [] }
  t.equal(fixtureProblem(good), undefined)
  const cases: [unknown, RegExp][] = [
    [[], /JSON object/],
    [{ guilds: [] }, /^users must be an array/],
    [{ users: [1], guilds: [] }, /^users\[0\] must be an object/],
    [{ users: [{ id: 0, battletag: 'a', characters: [] }], guilds: [] }, /users\[0\]\.id must be a positive integer/],
    [{ users: [{ id: 2 ** 53, battletag: 'a', characters: [] }], guilds: [] }, /below 2\^53/],
    [
      { users: [{ id: 1, battletag: '', characters: [] }], guilds: [] },
      /users\[0\]\.battletag must be a non-empty string/,
    ],
    [{ users: [{ id: 1, battletag: 'a' }], guilds: [] }, /users\[0\]\.characters must be an array/],
    [
      {
        users: [{ id: 1, battletag: 'a', characters: [{ id: 1, name: 'x', realm: 'Area 52', level: 1, class_id: 1 }] }],
        guilds: [],
      },
      /users\[0\]\.characters\[0\]\.realm must be a realm slug/,
    ],
    [
      {
        users: [{ id: 1, battletag: 'a', characters: [{ id: 1, name: 'x', realm: 'a', level: 101, class_id: 1 }] }],
        guilds: [],
      },
      /level must be an integer from 1 to 100/,
    ],
    [{ users: [], guilds: [{ id: 1, name: 'g', realm: 'r', roster: [] }] }, /guilds\[0\]\.faction/],
    [
      {
        users: [],
        guilds: [{ id: 1, name: 'g', realm: 'r', faction: 'HORDE', roster: [{ character_id: 1, rank: 10 }] }],
      },
      /rank must be an integer from 0 to 9/,
    ],
    [{ ...good, clients: [] }, /clients must be an object/],
    [{ ...good, clients: { a: 1 } }, /clients\.a must be a non-empty string/],
    [{ ...good, faults: {} }, /faults must be an array/],
    [{ ...good, faults: [{ path: 'oauth' }] }, /faults\[0\]\.path must be a path prefix/],
    [{ ...good, faults: [{ path: '/', status: 99 }] }, /faults\[0\]\.status must be an integer from 100 to 599/],
    [{ ...good, faults: [{ path: '/', delay_ms: -1 }] }, /delay_ms/],
    [{ ...good, faults: [{ path: '/', times: 0 }] }, /faults\[0\]\.times/],
  ]
  for (const [data, message] of cases) t.match(fixtureProblem(data), message, JSON.stringify(data))
})

t.test('slugs: a guild name slug and a realm display name', async (t) => {
  t.equal(nameSlug('Horde Vanguard'), 'horde-vanguard')
  t.equal(nameSlug('Kirin Tor Council'), 'kirin-tor-council')
  t.equal(realmName('area-52'), 'Area 52')
  t.equal(realmName('twisted-nether'), 'Twisted Nether')
  t.equal(realmName('proudmoore'), 'Proudmoore')
})

t.test('the bundled demo fixtures are valid and hold the contract example for Thrall', async (t) => {
  const s = await standinUnderTest()
  t.teardown(s.close)
  const demo = await s.demo()
  t.equal(fixtureProblem(demo), undefined)
  t.same(demo.users[0], {
    id: 100001,
    battletag: 'Thrall#1234',
    characters: [{ id: 5001, name: 'Thrall', realm: 'area-52', level: 80, class_id: 7 }],
  })
  t.match(demo.guilds[0], {
    id: 9001,
    name: 'Horde Vanguard',
    realm: 'area-52',
    faction: 'HORDE',
    roster: [{ character_id: 5001, rank: 0 }],
  })
  const second = demo.guilds[1] as Fixtures['guilds'][number]
  t.not(second.realm, 'area-52', 'a second guild on another realm')
  const gm = second.roster.find((entry) => entry.rank === 0)
  const owner = demo.users.find((u) => u.characters.some((c) => c.id === gm?.character_id))
  t.ok(owner && owner.id !== 100001, 'whose guild master is another user')
  const inGuild = new Set(demo.guilds.flatMap((g) => g.roster.map((e) => e.character_id)))
  t.ok(
    demo.users.some((u) => u.characters.every((c) => !inGuild.has(c.id))),
    'a user outside every guild',
  )
})
