import t from 'tap'
import { registerHordeVanguard, startHarness, type Client } from '../helpers/harness.js'

type Call = (c: Client) => ReturnType<Client['get']>

const DEFAULT_TOOLS = { roster: 9, settings: 1, sync: 1 }

/** Every guild route, with what each role gets under the default permissions (roster 9, settings 1, sync 1). */
const ROUTES: Array<{
  name: string
  call: Call
  expect: [gm: number, officer: number, raider: number, outsider: number]
}> = [
  { name: 'GET /guilds/{id}', call: (c) => c.get('/guilds/9001'), expect: [200, 200, 200, 403] },
  { name: 'GET members', call: (c) => c.get('/guilds/9001/members'), expect: [200, 200, 200, 403] },
  { name: 'GET permissions', call: (c) => c.get('/guilds/9001/permissions'), expect: [200, 200, 200, 403] },
  {
    name: 'PUT permissions',
    call: (c) => c.put('/guilds/9001/permissions', { tools: DEFAULT_TOOLS }),
    expect: [200, 403, 403, 403],
  },
  { name: 'GET settings', call: (c) => c.get('/guilds/9001/settings'), expect: [200, 200, 200, 403] },
  { name: 'PUT settings', call: (c) => c.put('/guilds/9001/settings', { motd: 'hi' }), expect: [200, 200, 403, 403] },
  { name: 'POST sync', call: (c) => c.post('/guilds/9001/sync'), expect: [200, 200, 403, 403] },
  { name: 'GET me/tools', call: (c) => c.get('/guilds/9001/me/tools?tools=roster'), expect: [200, 200, 200, 403] },
]

t.test('each guild route answers each role as the contract says', async (t) => {
  const h = await startHarness(t)
  const roles = {
    gm: h.as(await registerHordeVanguard(h)),
    officer: h.as(await h.login('Saurfang#2345')),
    raider: h.as(await h.login('Rokhan#3456')),
    outsider: h.as(await h.login('Chromie#5678')),
  }
  for (const route of ROUTES) {
    const [gm, officer, raider, outsider] = route.expect
    for (const [role, expected] of [
      ['gm', gm],
      ['officer', officer],
      ['raider', raider],
      ['outsider', outsider],
    ] as const) {
      const res = await route.call(roles[role])
      t.equal(res.statusCode, expected, `${route.name} as ${role}: ${res.body.slice(0, 200)}`)
      if (expected === 403) t.match(res.json(), { statusCode: 403, error: 'Forbidden', message: String })
    }
    const anonymous = await route.call(h.as(undefined))
    t.equal(anonymous.statusCode, 401, `${route.name} without a session`)
    t.match(anonymous.json(), { statusCode: 401, error: 'Unauthorized', message: /session/ })
  }
})

t.test('answers have the contract shapes', async (t) => {
  const h = await startHarness(t)
  const gm = h.as(await registerHordeVanguard(h))
  const raider = h.as(await h.login('Rokhan#3456'))
  const officer = h.as(await h.login('Saurfang#2345'))

  t.match((await gm.get('/guilds/9001')).json(), {
    guild_id: 9001,
    name: 'Horde Vanguard',
    realm: 'area-52',
    member_count: 8,
  })
  const tools = '/guilds/9001/me/tools?tools=roster,settings,sync,permissions,progress'
  t.same(
    (await gm.get(tools)).json(),
    { tools: { roster: true, settings: true, sync: true, permissions: true, progress: true } },
    'rank 0 may use every tool',
  )
  t.same((await officer.get(tools)).json(), {
    tools: { roster: true, settings: true, sync: true, permissions: false, progress: false },
  })
  t.same((await raider.get(tools)).json(), {
    tools: { roster: true, settings: false, sync: false, permissions: false, progress: false },
  })
  t.same(
    (await raider.get('/guilds/9001/me/tools?tools=roster,roster')).json(),
    { tools: { roster: true } },
    'a tool named twice is asked once',
  )

  const put = await gm.put('/guilds/9001/settings', { motd: 'Raid at 8', nested: { a: [1, 2, { b: null }] } })
  t.same(put.json(), { motd: 'Raid at 8', nested: { a: [1, 2, { b: null }] } })
  t.same((await raider.get('/guilds/9001/settings')).json(), { motd: 'Raid at 8', nested: { a: [1, 2, { b: null }] } })

  const perms = await gm.put('/guilds/9001/permissions', { tools: { roster: 9, progress: 5, 'raid-planner': 2 } })
  t.same(perms.json(), { tools: { progress: 5, 'raid-planner': 2, roster: 9 } }, 'the new map replaces the old one')
  t.same((await raider.get('/guilds/9001/permissions')).json(), {
    tools: { progress: 5, 'raid-planner': 2, roster: 9 },
  })
  t.same(
    (await gm.put('/guilds/9001/permissions', { tools: {} })).json(),
    { tools: {} },
    'an empty map leaves every tool to rank 0',
  )
  t.equal((await officer.get('/guilds/9001/members')).statusCode, 403, 'roster is rank 0 only now')
})

t.test('an unknown guild is 404 on every guild route, before any permission check', async (t) => {
  const h = await startHarness(t)
  const gm = h.as(await registerHordeVanguard(h))
  for (const route of ROUTES) {
    const call = (c: Client) => {
      const original = route.call
      const proxy: Client = {
        get: (path) => c.get(path.replace('9001', '9999')),
        post: (path, body) => c.post(path.replace('9001', '9999'), body),
        put: (path, body) => c.put(path.replace('9001', '9999'), body),
      }
      return original(proxy)
    }
    const res = await call(gm)
    t.equal(res.statusCode, 404, route.name)
    t.match(res.json(), { statusCode: 404, error: 'Not Found', message: 'guild 9999 is not registered' })
    t.equal((await call(h.as(undefined))).statusCode, 401, `${route.name} without a session: 401 first`)
  }
  t.equal((await gm.get('/nowhere')).statusCode, 404)
})
