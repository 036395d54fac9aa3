import t from 'tap'
import { registerHordeVanguard, startHarness } from '../helpers/harness.js'

interface Case {
  name: string
  method: 'GET' | 'POST' | 'PUT'
  url: string
  body?: unknown
  /** Raw text body sent as application/json. */
  raw?: string
  status?: number
  message: RegExp
}

const GUILD_PATHS = ['', '/members', '/permissions', '/settings', '/me/tools?tools=roster']
const BAD_IDS = ['abc', '0', '007', '-1', '1.5', '1e3', '99999999999999999', '9007199254740993']

const CASES: Case[] = [
  ...GUILD_PATHS.flatMap((path) =>
    BAD_IDS.map((id) => ({
      name: `GET /guilds/${id}${path}`,
      method: 'GET' as const,
      url: `/guilds/${id}${path}`,
      message: /params\/guild_id/,
    })),
  ),
  {
    name: 'PUT permissions, bad guild id',
    method: 'PUT',
    url: '/guilds/x/permissions',
    body: { tools: {} },
    message: /params\/guild_id/,
  },
  { name: 'POST sync, bad guild id', method: 'POST', url: '/guilds/0/sync', message: /params\/guild_id/ },

  { name: 'permissions: no tools', method: 'PUT', url: '/guilds/9001/permissions', body: {}, message: /tools/ },
  {
    name: 'permissions: tools not an object',
    method: 'PUT',
    url: '/guilds/9001/permissions',
    body: { tools: [] },
    message: /body\/tools/,
  },
  {
    name: 'permissions: bad tool name',
    method: 'PUT',
    url: '/guilds/9001/permissions',
    body: { tools: { 'Bad Tool': 1 } },
    message: /body\/tools: the name "Bad Tool"/,
  },
  {
    name: 'permissions: tool too long',
    method: 'PUT',
    url: '/guilds/9001/permissions',
    body: { tools: { [`a${'b'.repeat(32)}`]: 1 } },
    message: /tools/,
  },
  {
    name: 'permissions: rank 10',
    method: 'PUT',
    url: '/guilds/9001/permissions',
    body: { tools: { roster: 10 } },
    message: /body\/tools\/roster/,
  },
  {
    name: 'permissions: rank -1',
    method: 'PUT',
    url: '/guilds/9001/permissions',
    body: { tools: { roster: -1 } },
    message: /body\/tools\/roster/,
  },
  {
    name: 'permissions: rank "5"',
    method: 'PUT',
    url: '/guilds/9001/permissions',
    body: { tools: { roster: '5' } },
    message: /body\/tools\/roster/,
  },
  {
    name: 'permissions: rank 1.5',
    method: 'PUT',
    url: '/guilds/9001/permissions',
    body: { tools: { roster: 1.5 } },
    message: /body\/tools\/roster/,
  },
  {
    name: 'permissions: rank true',
    method: 'PUT',
    url: '/guilds/9001/permissions',
    body: { tools: { roster: true } },
    message: /body\/tools\/roster/,
  },
  {
    name: 'permissions: unknown field',
    method: 'PUT',
    url: '/guilds/9001/permissions',
    body: { tools: {}, extra: 1 },
    message: /body must NOT have the property "extra"/,
  },
  {
    name: 'permissions: too many tools',
    method: 'PUT',
    url: '/guilds/9001/permissions',
    body: { tools: Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`tool-${i}`, 1])) },
    message: /body\/tools/,
  },
  {
    name: 'permissions: not JSON',
    method: 'PUT',
    url: '/guilds/9001/permissions',
    raw: '{"tools": {',
    message: /JSON/,
  },

  {
    name: 'settings: an array',
    method: 'PUT',
    url: '/guilds/9001/settings',
    body: [1, 2],
    message: /body must be object/,
  },
  {
    name: 'settings: a string',
    method: 'PUT',
    url: '/guilds/9001/settings',
    raw: '"motd"',
    message: /body must be object/,
  },
  { name: 'settings: null', method: 'PUT', url: '/guilds/9001/settings', raw: 'null', message: /body must be object/ },
  { name: 'settings: not JSON', method: 'PUT', url: '/guilds/9001/settings', raw: '{motd: 1}', message: /JSON/ },
  // What jsonb cannot store, and nesting that would overflow a recursive walk: 400 naming the place, not 500.
  {
    name: 'settings: a NUL in a value',
    method: 'PUT',
    url: '/guilds/9001/settings',
    raw: '{"motd":{"text":"a\\u0000b"}}',
    message: /^body\/motd\/text must not contain a NUL character \(U\+0000\)$/,
  },
  {
    name: 'settings: a NUL in a name',
    method: 'PUT',
    url: '/guilds/9001/settings',
    raw: '{"a\\u0000":1}',
    message: /^body: the name "a\\u0000" must not contain a NUL character/,
  },
  {
    name: 'settings: a lone surrogate',
    method: 'PUT',
    url: '/guilds/9001/settings',
    raw: '{"list":["ok","\\ud800"]}',
    message: /^body\/list\/1 must not contain an unpaired UTF-16 surrogate$/,
  },
  {
    name: 'settings: a lone low surrogate in a name',
    method: 'PUT',
    url: '/guilds/9001/settings',
    raw: '{"\\udc00x":1}',
    message: /the name .* must not contain an unpaired UTF-16 surrogate/,
  },
  {
    name: 'settings: 33 levels deep',
    method: 'PUT',
    url: '/guilds/9001/settings',
    raw: `{"a":${'['.repeat(32)}${']'.repeat(32)}}`,
    message: /nests deeper than 32 levels/,
  },
  {
    name: 'settings: 10,000 levels deep',
    method: 'PUT',
    url: '/guilds/9001/settings',
    raw: `{"a":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`,
    message: /^body\/a\/a\/a.* nests deeper than 32 levels$/,
  },
  {
    name: 'permissions: 20,000 levels deep',
    method: 'PUT',
    url: '/guilds/9001/permissions',
    raw: `{"tools":${'['.repeat(20_000)}${']'.repeat(20_000)}}`,
    message: /body\/tools/,
  },
  {
    name: 'settings: too large',
    method: 'PUT',
    url: '/guilds/9001/settings',
    body: { blob: 'x'.repeat(17_000) },
    status: 413,
    message: /at most 16384/,
  },
  {
    name: 'settings: far too large',
    method: 'PUT',
    url: '/guilds/9001/settings',
    body: { blob: 'x'.repeat(100_000) },
    status: 413,
    message: /large/,
  },

  { name: 'me/tools: missing', method: 'GET', url: '/guilds/9001/me/tools', message: /tools/ },
  { name: 'me/tools: empty', method: 'GET', url: '/guilds/9001/me/tools?tools=', message: /querystring\/tools/ },
  {
    name: 'me/tools: bad name',
    method: 'GET',
    url: '/guilds/9001/me/tools?tools=roster,Bad',
    message: /querystring\/tools: "Bad"/,
  },
  {
    name: 'me/tools: empty item',
    method: 'GET',
    url: '/guilds/9001/me/tools?tools=roster,,sync',
    message: /querystring\/tools: ""/,
  },
  {
    name: 'me/tools: given twice',
    method: 'GET',
    url: '/guilds/9001/me/tools?tools=a&tools=b',
    message: /querystring\/tools/,
  },
  {
    name: 'me/tools: too many',
    method: 'GET',
    url: `/guilds/9001/me/tools?tools=${Array.from({ length: 101 }, (_, i) => `t${i}`).join(',')}`,
    message: /at most 100/,
  },

  { name: 'register: no body', method: 'POST', url: '/guilds', message: /body/ },
  { name: 'register: no realm', method: 'POST', url: '/guilds', body: { name: 'Horde Vanguard' }, message: /realm/ },
  { name: 'register: no name', method: 'POST', url: '/guilds', body: { realm: 'area-52' }, message: /name/ },
  {
    name: 'register: blank name',
    method: 'POST',
    url: '/guilds',
    body: { realm: 'area-52', name: '   ' },
    message: /body\/name/,
  },
  {
    name: 'register: empty realm',
    method: 'POST',
    url: '/guilds',
    body: { realm: '', name: 'x' },
    message: /body\/realm/,
  },
  {
    name: 'register: realm with a slash',
    method: 'POST',
    url: '/guilds',
    body: { realm: 'area-52/../x', name: 'x' },
    message: /body\/realm/,
  },
  {
    name: 'register: name a number',
    method: 'POST',
    url: '/guilds',
    body: { realm: 'area-52', name: 42 },
    message: /body\/name/,
  },
  {
    name: 'register: bad region',
    method: 'POST',
    url: '/guilds',
    body: { region: 'xx', realm: 'area-52', name: 'x' },
    message: /body\/region must be one of: us, eu, kr, tw/,
  },
  {
    name: 'register: unknown field',
    method: 'POST',
    url: '/guilds',
    body: { realm: 'area-52', name: 'x', id: 9001 },
    message: /body must NOT have the property "id"/,
  },
  { name: 'register: an array', method: 'POST', url: '/guilds', body: [], message: /body must be object/ },

  {
    name: 'login: redirect twice',
    method: 'GET',
    url: '/auth/login?redirect=/a&redirect=/b',
    message: /querystring\/redirect/,
  },
  {
    name: 'login: unknown parameter',
    method: 'GET',
    url: '/auth/login?foo=1',
    message: /querystring must NOT have the property "foo"/,
  },
  {
    name: 'login: login_hint too long',
    method: 'GET',
    url: `/auth/login?login_hint=${'x'.repeat(201)}`,
    message: /querystring\/login_hint/,
  },
  {
    name: 'callback: code too long',
    method: 'GET',
    url: `/auth/callback?state=s&code=${'x'.repeat(2001)}`,
    message: /querystring\/code/,
  },
]

t.test('bad input on every route is a 400 whose message names the field', async (t) => {
  const h = await startHarness(t)
  const token = await registerHordeVanguard(h)
  for (const c of CASES) {
    const res = await h.inject({
      method: c.method,
      url: c.url,
      headers: {
        authorization: `Bearer ${token}`,
        ...(c.raw !== undefined || c.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(c.raw !== undefined ? { payload: c.raw } : c.body !== undefined ? { payload: JSON.stringify(c.body) } : {}),
    })
    const status = c.status ?? 400
    t.equal(res.statusCode, status, `${c.name}: ${res.body.slice(0, 300)}`)
    const body = res.json<{ statusCode: number; error: string; message: string }>()
    t.equal(body.statusCode, status, c.name)
    t.match(body.message, c.message, c.name)
    t.same(Object.keys(body).sort(), ['error', 'message', 'statusCode'], `${c.name}: the contract's error shape`)
  }
  t.same(
    (await h.as(token).get('/guilds/9001/permissions')).json(),
    { tools: { roster: 9, settings: 1, sync: 1 } },
    'nothing was changed by bad input',
  )
  t.same((await h.as(token).get('/guilds/9001/settings')).json(), {})
  // At the depth limit, and with surrogate pairs (not lone ones), a settings object is stored.
  const deep = { a: JSON.parse(`${'['.repeat(31)}"😀"${']'.repeat(31)}`) as unknown, 'ключ 😀': 'значение' }
  const put = await h.as(token).put('/guilds/9001/settings', deep)
  t.equal(put.statusCode, 200, put.body.slice(0, 200))
  t.same((await h.as(token).get('/guilds/9001/settings')).json(), deep)
})
