import { createCache } from '@guild/cache'
import t from 'tap'
import { buildApp } from '../../src/app.js'
import { readRealmIndex, type BnetRealm } from '../../src/battlenet/answers.js'
import { BattleNetBadAnswerError } from '../../src/battlenet/errors.js'
import { REALM_INDEX_MEMORY_MS, RealmIndex } from '../../src/battlenet/realm-index.js'
import { realmKey } from '../../src/battlenet/slugs.js'
import { startHarness } from '../helpers/harness.js'

const DEMO_REALMS = [
  { slug: 'aggra-portugues', name: 'Aggra (Português)' },
  { slug: 'area-52', name: 'Area 52' },
  { slug: 'azjolnerub', name: 'Azjol-Nerub' },
  { slug: 'kelthuzad', name: "Kel'Thuzad" },
  { slug: 'malganis', name: "Mal'Ganis" },
  { slug: 'pozzo-delleternita', name: "Pozzo dell'Eternità" },
  { slug: 'proudmoore', name: 'Proudmoore' },
]

t.test("GET /realms: the region's realms from Battle.net's index, exactly [{slug, name}], by name", async (t) => {
  const h = await startHarness(t, { permissionService: false })
  t.equal((await h.as(undefined).get('/realms')).statusCode, 401, 'a session is needed')
  const thrall = h.as(await h.login('Thrall#1234'))
  const res = await thrall.get('/realms')
  t.equal(res.statusCode, 200)
  t.same(res.json(), DEMO_REALMS)
  t.same(Object.keys(res.json<object[]>()[0] as object), ['slug', 'name'], 'nothing but slug and name')
})

t.test("POST /guilds takes a realm by slug or display name, resolved as Battle.net's index has it", async (t) => {
  // Twelve registrations by one user: above the per-user limit's default of 10 a minute.
  const h = await startHarness(t, { permissionService: false, env: { GUILD_WRITE_RATE_LIMIT_MAX: '100' } })
  const kelthas = h.as(await h.login('Kelthas#6789'))
  for (const realm of ["Kel'Thuzad", 'kel’thuzad', 'KELTHUZAD', 'Kel Thuzad', 'kel-thuzad', ' kelthuzad ']) {
    const res = await kelthas.post('/guilds', { realm, name: 'Cult of the Damned' })
    t.equal(res.statusCode, 201, `${realm}: ${res.body}`)
    t.match(res.json(), { guild_id: 9003, realm: 'kelthuzad' })
    await h.app.db.sql`delete from guilds where id = 9003`
  }
  for (const realm of [
    'Aggra (Português)',
    'aggra (portugues)',
    'AGGRA PORTUGUÊS',
    'Aggra (Portugue\u0302s)',
    'aggra-portugues',
    'Aggra Português',
  ]) {
    const res = await kelthas.post('/guilds', { realm, name: 'Irmandade' })
    t.equal(res.statusCode, 201, `${realm}: ${res.body}`)
    t.match(res.json(), { guild_id: 9004, realm: 'aggra-portugues' })
    await h.app.db.sql`delete from guilds where id = 9004`
  }
  const thrall = h.as(await h.login('Thrall#1234'))
  const area = await thrall.post('/guilds', { realm: 'Area 52', name: 'Horde Vanguard' })
  t.match(area.json(), { guild_id: 9001, realm: 'area-52' })
  const stored = await h.app.db.sql`select id, realm_slug from guilds order by id`
  t.same(
    stored.map((r) => [Number(r.id), r.realm_slug]),
    [[9001, 'area-52']],
    'the slug is what is stored',
  )
})

t.test('an unknown realm is a 400 naming it, and Battle.net is not asked for a roster', async (t) => {
  const h = await startHarness(t, { permissionService: false })
  const thrall = h.as(await h.login('Thrall#1234'))
  // Were the roster asked for, this fault would make it a 503.
  await h.standin.faults([{ path: '/data/wow/guild/', status: 500 }])
  for (const realm of ['Kel Thuzad Prime', 'area-53', "Kel'Thuzad (EU)", '(((', "'"]) {
    const res = await thrall.post('/guilds', { realm, name: 'Horde Vanguard' })
    t.equal(res.statusCode, 400, `${realm}: ${res.body}`)
    t.match(
      res.json<{ message: string }>().message,
      realmKey(realm) === ''
        ? /body\/realm must not be blank/
        : `body/realm ${JSON.stringify(realm)} is no realm of Battle.net region us`,
    )
  }
  const symbols = await thrall.post('/guilds', { realm: 'area<52>', name: 'Horde Vanguard' })
  t.equal(symbols.statusCode, 400)
  t.match(symbols.json<{ message: string }>().message, /body\/realm must match pattern/)
})

t.test('a realm that two realms of the index could mean asks for the slug', async (t) => {
  const h = await startHarness(t, { permissionService: false })
  await h.standin.edit((f) => {
    f.realms = [...(f.realms ?? []), { id: 9999, slug: 'area52', name: 'Area52' }]
  })
  const thrall = h.as(await h.login('Thrall#1234'))
  const res = await thrall.post('/guilds', { realm: 'Area 52', name: 'Horde Vanguard' })
  t.equal(res.statusCode, 400)
  t.match(res.json<{ message: string }>().message, /may be any of area-52, area52: give the realm's slug/)
  t.equal(
    (await thrall.post('/guilds', { realm: 'area-52', name: 'Horde Vanguard' })).statusCode,
    201,
    'the slug itself is exact',
  )
})

t.test('a region other than BNET_REGION is a 400 that says so', async (t) => {
  const h = await startHarness(t, { permissionService: false, env: { BNET_REGION: 'eu' } })
  const kelthas = h.as(await h.login('Kelthas#6789'))
  const res = await kelthas.post('/guilds', { region: 'us', realm: "Kel'Thuzad", name: 'Cult of the Damned' })
  t.equal(res.statusCode, 400)
  t.match(res.json(), {
    statusCode: 400,
    message: 'body/region: this deployment serves Battle.net region eu alone, not us',
  })
  const eu = await kelthas.post('/guilds', { region: 'eu', realm: 'Aggra (Português)', name: 'Irmandade' })
  t.equal(eu.statusCode, 201, `the deployment's own region: ${eu.body}`)
  t.match(eu.json(), { region: 'eu', realm: 'aggra-portugues' })
  t.equal(
    (await kelthas.get('/realms')).statusCode,
    200,
    "the stand-in serves eu's namespaces only: GET /realms asked for dynamic-eu",
  )
})

t.test('the realm index is cached in Redis for a day, shared by instances, and in memory', async (t) => {
  const h = await startHarness(t, { permissionService: false })
  const thrall = h.as(await h.login('Thrall#1234'))
  t.equal((await thrall.get('/realms')).statusCode, 200)
  const ttl = await h.redis!.redis.ttl('cache:bnet:realms:us')
  t.ok(ttl > 86_000 && ttl <= 86_400, `cache:bnet:realms:us lives a day (${ttl} s)`)

  await h.standin.faults([{ path: '/data/wow/realm/', status: 500 }])
  t.same((await thrall.get('/realms')).json(), DEMO_REALMS, 'from memory: Battle.net failing is not seen')
  const second = await buildApp({ env: h.env, bnetBackoffMs: 10 })
  t.teardown(() => second.close())
  const res = await second.inject({
    url: '/realms',
    headers: { authorization: `Bearer ${await h.login('Thrall#1234')}` },
  })
  t.equal(res.statusCode, 200, 'another instance reads it from Redis')
  t.same(res.json(), DEMO_REALMS)

  await h.redis!.redis.del('cache:bnet:realms:us')
  const third = await buildApp({ env: h.env, bnetBackoffMs: 10 })
  t.teardown(() => third.close())
  const failed = await third.inject({
    url: '/realms',
    headers: { authorization: `Bearer ${await h.login('Thrall#1234')}` },
  })
  t.equal(failed.statusCode, 503, 'nothing cached and Battle.net failing: 503, not an empty list')
})

t.test('without Redis the index is held in memory', async (t) => {
  const h = await startHarness(t, { permissionService: false, redis: 'none' })
  const thrall = h.as(await h.login('Thrall#1234'))
  t.same((await thrall.get('/realms')).json(), DEMO_REALMS)
  await h.standin.faults([{ path: '/data/wow/realm/', status: 500 }])
  t.same((await thrall.get('/realms')).json(), DEMO_REALMS)
})

t.test('RealmIndex: an hour in memory, then asked again; loads are not cached when they fail', async (t) => {
  const cache = createCache({})
  t.teardown(() => cache.close())
  let now = 1_000_000
  let loads = 0
  let fail = false
  const realms: BnetRealm[] = [{ slug: 'kelthuzad', name: "Kel'Thuzad", names: ["Kel'Thuzad"] }]
  const index = new RealmIndex(
    cache,
    async () => {
      loads++
      if (fail) throw new BattleNetBadAnswerError('down')
      return realms
    },
    () => now,
  )
  t.equal(await index.resolve('us', "kel'thuzad"), 'kelthuzad')
  t.equal(await index.resolve('us', 'KelThuzad'), 'kelthuzad')
  t.equal(loads, 1)
  now += REALM_INDEX_MEMORY_MS - 1
  await index.list('us')
  t.equal(loads, 1, 'still in memory')
  now += 1
  fail = true
  await t.rejects(index.list('us'), BattleNetBadAnswerError)
  t.equal(loads, 2, 'an hour later it is asked again')
  fail = false
  t.same(await index.list('us'), [{ slug: 'kelthuzad', name: "Kel'Thuzad" }])
  t.equal(loads, 3, 'a failure is not remembered')
  await index.list('eu')
  t.equal(loads, 4, 'each region its own index')
})

t.test(
  "readRealmIndex: a name per locale (Battle.net's answer without a locale), once per slug; bad answers are 502",
  async (t) => {
    const read = readRealmIndex(
      {
        realms: [
          { id: 1, slug: 'gordunni', name: { ru_RU: 'Гордунни', en_US: 'Gordunni', de_DE: '' } },
          { id: 2, slug: 'area-52', name: 'Area 52' },
          { id: 3, slug: 'area-52', name: 'Area Fifty-Two' },
        ],
      },
      'GET /realms',
    )
    t.same(read, [
      { slug: 'gordunni', name: 'Gordunni', names: ['Gordunni', 'Гордунни'] },
      { slug: 'area-52', name: 'Area 52', names: ['Area 52'] },
    ])
    for (const bad of [
      {},
      { realms: {} },
      { realms: [{ slug: '', name: 'x' }] },
      { realms: [{ slug: 'x', name: {} }] },
      { realms: [{ slug: 'x', name: 5 }] },
    ]) {
      t.throws(() => readRealmIndex(bad, 'GET /realms'), BattleNetBadAnswerError, JSON.stringify(bad))
    }
    const index = new RealmIndex(createCache({}), async () => read)
    t.equal(await index.resolve('eu', 'гордунни'), 'gordunni', 'a localized name finds the realm too')
    t.equal(await index.resolve('eu', 'Gordunni'), 'gordunni')
  },
)

t.test('realmKey: what a name and its slug have in common', async (t) => {
  const same: Array<[string, string]> = [
    ["Kel'Thuzad", 'kelthuzad'],
    ['Aggra (Português)', 'aggra-portugues'],
    ['Area 52', 'area-52'],
    ['Azjol-Nerub', 'azjolnerub'],
    ["Pozzo dell'Eternità", 'pozzo-delleternita'],
    ['Ｋｅｌ’Ｔｈｕｚａｄ', 'kelthuzad'],
    ['Chants éternels', 'chants-eternels'],
  ]
  for (const [name, slug] of same) t.equal(realmKey(name), realmKey(slug), `${name} ~ ${slug}`)
  t.not(realmKey('Area 52'), realmKey('Area 53'))
  t.equal(realmKey("'() -"), '')
})
