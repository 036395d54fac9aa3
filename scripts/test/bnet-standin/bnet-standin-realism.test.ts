import t from 'tap'
import { fixtureProblem } from '../../src/bnet-standin/fixtures.js'
import { fixtureRealms } from '../../src/bnet-standin/slugs.js'
import {
  authorize,
  CLIENT,
  clientToken,
  exchange,
  REDIRECT_URI,
  standinUnderTest,
  userToken,
} from '../helpers/standin.js'

// What Battle.net checks and the stand-in now checks too, so that a client that forgets it fails here first.

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
const ROSTER = '/data/wow/guild/area-52/horde-vanguard/roster'

t.test(
  'the API paths want the namespace of their kind, as a parameter or the Battlenet-Namespace header; 404 otherwise',
  async (t) => {
    const s = await standinUnderTest()
    t.teardown(s.close)
    const app = await clientToken(s.app)
    const user = await userToken(s.app, 'Thrall#1234')
    const paths: Array<[path: string, token: string, kind: string]> = [
      ['/profile/user/wow', user, 'profile'],
      [ROSTER, app, 'profile'],
      ['/data/wow/realm/index', app, 'dynamic'],
    ]
    for (const [path, token, kind] of paths) {
      const other = kind === 'profile' ? 'dynamic' : 'profile'
      const missing = await s.app.inject({ url: path, headers: bearer(token) })
      t.equal(missing.statusCode, 404, `${path} without a namespace`)
      t.match(missing.json(), { code: 404, type: 'BLZWEBAPI00000404', detail: /namespace is required/ })
      for (const wrong of [
        `${other}-us`,
        `static-us`,
        `${kind}-xx`,
        `${kind}-US`,
        `${kind}`,
        'profile-us,dynamic-us',
      ]) {
        const res = await s.app.inject({
          url: `${path}?namespace=${encodeURIComponent(wrong)}`,
          headers: bearer(token),
        })
        t.equal(res.statusCode, 404, `${path} with namespace ${wrong}`)
        t.match(res.json().detail, /is not valid for this path/)
      }
      for (const region of ['us', 'eu', 'kr', 'tw']) {
        t.equal(
          (await s.app.inject({ url: `${path}?namespace=${kind}-${region}`, headers: bearer(token) })).statusCode,
          200,
          `${path} in ${kind}-${region}`,
        )
      }
      const header = await s.app.inject({
        url: path,
        headers: { ...bearer(token), 'battlenet-namespace': `${kind}-eu` },
      })
      t.equal(header.statusCode, 200, `${path} with the Battlenet-Namespace header`)
      t.equal(
        (await s.app.inject({ url: path, headers: { ...bearer(token), 'battlenet-namespace': `${other}-eu` } }))
          .statusCode,
        404,
      )
      t.equal(
        (await s.app.inject({ url: `${path}?namespace=${kind}-us` })).statusCode,
        401,
        'the token is checked first',
      )
    }
  },
)

t.test('a stand-in for one region accepts that region namespaces only', async (t) => {
  const s = await standinUnderTest(undefined, { region: 'eu' })
  t.teardown(s.close)
  const app = await clientToken(s.app)
  t.equal((await s.app.inject({ url: `${ROSTER}?namespace=profile-eu`, headers: bearer(app) })).statusCode, 200)
  const us = await s.app.inject({ url: `${ROSTER}?namespace=profile-us`, headers: bearer(app) })
  t.equal(us.statusCode, 404)
  t.match(us.json().detail, /expected profile-eu$/)
  t.equal(
    (await s.app.inject({ url: '/data/wow/realm/index?namespace=dynamic-us', headers: bearer(app) })).statusCode,
    404,
  )
})

t.test('the account profile wants a token granted the wow.profile scope: 403 without it', async (t) => {
  const s = await standinUnderTest()
  t.teardown(s.close)
  for (const scope of ['openid', '', 'wow.profiles', 'openid wow.profile.x', 'WOW.PROFILE']) {
    const code = await authorize(s.app, 'Thrall#1234', { scope })
    const token = (await exchange(s.app, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI })).json()
      .access_token as string
    const res = await s.app.inject({ url: '/profile/user/wow?namespace=profile-us', headers: bearer(token) })
    t.equal(res.statusCode, 403, `scope "${scope}"`)
    t.match(res.json(), { code: 403, detail: /wow\.profile scope/ })
  }
  for (const scope of ['wow.profile', 'openid wow.profile', 'wow.profile openid']) {
    const code = await authorize(s.app, 'Thrall#1234', { scope })
    const token = (await exchange(s.app, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI })).json()
      .access_token as string
    t.equal(
      (await s.app.inject({ url: '/profile/user/wow?namespace=profile-us', headers: bearer(token) })).statusCode,
      200,
      `scope "${scope}"`,
    )
  }
})

t.test('with registered redirect URIs, authorize refuses any other and never redirects to it', async (t) => {
  const s = await standinUnderTest(undefined, { redirectUris: [REDIRECT_URI] })
  t.teardown(s.close)
  const others = [
    'http://127.0.0.1:3000/auth/callback/',
    'http://127.0.0.1:3000/auth/callback?x=1',
    'http://127.0.0.1:3000/AUTH/callback',
    'http://localhost:3000/auth/callback',
    'https://127.0.0.1:3000/auth/callback',
    'http://127.0.0.1:3001/auth/callback',
    'https://evil.example/auth/callback',
  ]
  for (const redirectUri of others) {
    const query = new URLSearchParams({
      client_id: CLIENT.id,
      redirect_uri: redirectUri,
      state: 's',
      login_hint: '100001',
      scope: 'wow.profile',
    })
    const res = await s.app.inject({ url: `/oauth/authorize?${query.toString()}` })
    t.equal(res.statusCode, 400, redirectUri)
    t.match(
      res.json(),
      { error: 'invalid_request', error_description: /is not registered for this client/ },
      redirectUri,
    )
    t.notOk(res.headers.location, `${redirectUri}: no redirect`)
  }
  const code = await authorize(s.app, 'Thrall#1234')
  const token = await exchange(s.app, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI })
  t.equal(token.statusCode, 200, 'the registered one works, end to end')
})

t.test('the realm index: the fixture realms, or the slugs the fixture uses named by their words', async (t) => {
  const s = await standinUnderTest()
  t.teardown(s.close)
  const app = await clientToken(s.app)
  const index = await s.app.inject({
    url: '/data/wow/realm/index?namespace=dynamic-us&locale=en_US',
    headers: bearer(app),
  })
  t.equal(index.statusCode, 200)
  const realms = index.json().realms as Array<{ id: number; name: string; slug: string }>
  t.same(Object.keys(index.json()), ['realms'])
  t.match(realms, [{ id: 3676, slug: 'area-52', name: 'Area 52' }])
  t.ok(
    realms.some((r) => r.slug === 'kelthuzad' && r.name === "Kel'Thuzad"),
    "Kel'Thuzad",
  )
  t.ok(
    realms.some((r) => r.slug === 'aggra-portugues' && r.name === 'Aggra (Português)'),
    'Aggra (Português)',
  )
  const kelthas = await userToken(s.app, 'Kelthas#6789')
  const profile = (
    await s.app.inject({ url: '/profile/user/wow?namespace=profile-us', headers: bearer(kelthas) })
  ).json()
  t.same(
    profile.wow_accounts[0].characters.map((c: { realm: unknown }) => c.realm),
    [
      { slug: 'kelthuzad', name: "Kel'Thuzad" },
      { slug: 'aggra-portugues', name: 'Aggra (Português)' },
    ],
    "characters carry the index's display name",
  )

  const demo = await s.demo()
  delete demo.realms
  await s.write(demo)
  const derived = (
    await s.app.inject({ url: '/data/wow/realm/index?namespace=dynamic-us', headers: bearer(app) })
  ).json().realms
  t.same(derived, fixtureRealms(demo))
  t.match(derived, [
    { id: 1, slug: 'area-52', name: 'Area 52' },
    { id: 2, slug: 'proudmoore', name: 'Proudmoore' },
  ])
  t.ok(
    derived.some((r: { slug: string; name: string }) => r.slug === 'aggra-portugues' && r.name === 'Aggra Portugues'),
  )
  t.equal(new Set(derived.map((r: { slug: string }) => r.slug)).size, derived.length, 'each slug once')
})

t.test('fixture realms are checked', async (t) => {
  const base = { users: [], guilds: [] }
  t.equal(fixtureProblem({ ...base, realms: [] }), undefined)
  t.match(fixtureProblem({ ...base, realms: {} }), /realms must be an array/)
  t.match(
    fixtureProblem({ ...base, realms: [{ id: 1, slug: "Kel'Thuzad", name: 'x' }] }),
    /realms\[0\]\.slug must be a realm slug/,
  )
  t.match(fixtureProblem({ ...base, realms: [{ id: 0, slug: 'a', name: 'A' }] }), /realms\[0\]\.id/)
  t.match(fixtureProblem({ ...base, realms: [{ id: 1, slug: 'a', name: '' }] }), /realms\[0\]\.name/)
  t.match(
    fixtureProblem({
      ...base,
      realms: [
        { id: 1, slug: 'a', name: 'A' },
        { id: 2, slug: 'a', name: 'B' },
      ],
    }),
    /realms\[1\]\.slug "a" is listed twice/,
  )
})
