import t from 'tap'
import { clientToken, standinUnderTest, userToken } from '../helpers/standin.js'

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

t.test('profile/user/wow lists the user characters in the contract shape, with a realm display name', async (t) => {
  const s = await standinUnderTest()
  t.teardown(s.close)
  const thrall = await userToken(s.app, 'Thrall#1234')
  const res = await s.app.inject({
    url: '/profile/user/wow?namespace=profile-us&locale=en_US',
    headers: bearer(thrall),
  })
  t.equal(res.statusCode, 200)
  t.same(res.json(), {
    wow_accounts: [
      {
        characters: [
          {
            id: 5001,
            name: 'Thrall',
            realm: { slug: 'area-52', name: 'Area 52' },
            level: 80,
            playable_class: { id: 7 },
          },
        ],
      },
    ],
  })
  const rokhan = await userToken(s.app, 'Rokhan#3456')
  const two = (await s.app.inject({ url: '/profile/user/wow?namespace=profile-us', headers: bearer(rokhan) })).json()
  t.same(
    two.wow_accounts[0].characters.map((c: { name: string }) => c.name),
    ['Rokhan', 'Zentabra'],
  )
  const jaina = await userToken(s.app, 'Jaina#4567')
  const realm = (await s.app.inject({ url: '/profile/user/wow?namespace=profile-us', headers: bearer(jaina) })).json()
    .wow_accounts[0].characters[0].realm
  t.same(realm, { slug: 'proudmoore', name: 'Proudmoore' })
})

t.test('profile/user/wow wants a user token', async (t) => {
  const s = await standinUnderTest()
  t.teardown(s.close)
  const none = await s.app.inject({ url: '/profile/user/wow' })
  t.equal(none.statusCode, 401)
  t.same(none.json(), { code: 401, type: 'BLZWEBAPI00000401', detail: 'a valid Bearer access token is required' })
  t.match(none.headers['www-authenticate'], /^Bearer/)
  t.equal(
    (await s.app.inject({ url: '/profile/user/wow?namespace=profile-us', headers: bearer('forged') })).statusCode,
    401,
  )
  const client = await clientToken(s.app)
  const res = await s.app.inject({ url: '/profile/user/wow?namespace=profile-us', headers: bearer(client) })
  t.equal(res.statusCode, 401)
  t.match(res.json().detail, /user access token/)

  const chromie = await userToken(s.app, 'Chromie#5678')
  const demo = await s.demo()
  await s.write({ ...demo, users: demo.users.filter((u) => u.id !== 100005) })
  t.equal(
    (await s.app.inject({ url: '/profile/user/wow?namespace=profile-us', headers: bearer(chromie) })).statusCode,
    404,
    'user gone from the fixtures',
  )
})

t.test('client_credentials then the guild roster, in the contract shape', async (t) => {
  const s = await standinUnderTest()
  t.teardown(s.close)
  const token = await clientToken(s.app)
  const res = await s.app.inject({
    url: '/data/wow/guild/area-52/horde-vanguard/roster?namespace=profile-us&locale=en_US',
    headers: bearer(token),
  })
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.same(body.guild, { id: 9001, name: 'Horde Vanguard', realm: { slug: 'area-52' }, faction: { type: 'HORDE' } })
  t.same(body.members[0], {
    character: { id: 5001, name: 'Thrall', realm: { slug: 'area-52' }, level: 80, playable_class: { id: 7 } },
    rank: 0,
  })
  const byId = new Map(body.members.map((m: { character: { id: number } }) => [m.character.id, m]))
  t.same(
    byId.get(6001),
    {
      character: { id: 6001, name: 'Rexxar', realm: { slug: 'area-52' }, level: 80, playable_class: { id: 3 } },
      rank: 2,
    },
    'a character of no fixture user carries its own fields and the guild realm',
  )
  t.match(byId.get(5101), { rank: 1, character: { name: 'Saurfang' } }, 'the officer')
  t.match(byId.get(5202), { rank: 6, character: { name: 'Zentabra', level: 72, playable_class: { id: 11 } } })
  t.notOk(byId.has(5401), 'Chromie is in no guild')
})

t.test('roster answers to a user token too, matches slugs case-insensitively, and 404s an unknown guild', async (t) => {
  const s = await standinUnderTest()
  t.teardown(s.close)
  const token = await userToken(s.app, 'Jaina#4567')
  const res = await s.app.inject({
    url: '/data/wow/guild/Proudmoore/Kirin-Tor-Council/roster?namespace=profile-us',
    headers: bearer(token),
  })
  t.equal(res.statusCode, 200)
  t.same(res.json().guild, {
    id: 9002,
    name: 'Kirin Tor Council',
    realm: { slug: 'proudmoore' },
    faction: { type: 'ALLIANCE' },
  })
  t.same(
    res
      .json()
      .members.map((m: { character: { realm: { slug: string } }; rank: number }) => [m.character.realm.slug, m.rank]),
    [
      ['proudmoore', 0],
      ['proudmoore', 3],
    ],
  )
  const unknown = await s.app.inject({
    url: '/data/wow/guild/area-52/no-such-guild/roster?namespace=profile-us',
    headers: bearer(token),
  })
  t.equal(unknown.statusCode, 404)
  t.match(unknown.json(), { code: 404, type: 'BLZWEBAPI00000404', detail: /no-such-guild/ })
  const wrongRealm = await s.app.inject({
    url: '/data/wow/guild/proudmoore/horde-vanguard/roster?namespace=profile-us',
    headers: bearer(token),
  })
  t.equal(wrongRealm.statusCode, 404, 'the realm counts')
  t.equal((await s.app.inject({ url: '/data/wow/guild/area-52/horde-vanguard/roster' })).statusCode, 401)
})

t.test('health answers without a token; unknown paths 404', async (t) => {
  const s = await standinUnderTest()
  t.teardown(s.close)
  t.same((await s.app.inject({ url: '/health/live' })).json(), { status: 'ok' })
  t.same((await s.app.inject({ url: '/health/ready' })).json(), { fixtures: 'up' })
  const missing = await s.app.inject({ url: '/nowhere' })
  t.equal(missing.statusCode, 404)
})
