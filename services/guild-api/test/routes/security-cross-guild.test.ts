import t from 'tap'
import { registerHordeVanguard, startHarness, type Harness } from '../helpers/harness.js'
import { pathOf } from '../helpers/routes.js'

/** A body each guild route's schema accepts, so that what answers is the membership or tool check. */
const BODIES: Record<string, unknown> = {
  'PUT /guilds/:guild_id/permissions': { tools: { roster: 9, settings: 9, sync: 9, permissions: 9 } },
  'PUT /guilds/:guild_id/settings': { motd: 'taken over' },
}
const QUERIES: Record<string, string> = { '/guilds/:guild_id/me/tools': '?tools=roster,settings,sync,permissions' }

/** What each guild's own guild master sees: it must not move when the other guild's people try. */
async function snapshot(h: Harness, gm: string, guildId: number) {
  const c = h.as(gm)
  // synced_at moves with the guild master's own sync (the route is tried on each side).
  const { synced_at: _synced, ...guild } = (await c.get(`/guilds/${guildId}`)).json<Record<string, unknown>>()
  return {
    guild,
    members: (await c.get(`/guilds/${guildId}/members`)).json(),
    permissions: (await c.get(`/guilds/${guildId}/permissions`)).json(),
    settings: (await c.get(`/guilds/${guildId}/settings`)).json(),
  }
}

t.test("a member of one guild can neither read nor change another's: ids swapped on every guild route", async (t) => {
  const h = await startHarness(t)
  const thrall = await registerHordeVanguard(h) // rank 0 of 9001
  const jaina = await h.login('Jaina#4567') // rank 0 of 9002
  t.equal((await h.as(jaina).post('/guilds', { realm: 'proudmoore', name: 'Kirin Tor Council' })).statusCode, 201)
  const saurfang = await h.login('Saurfang#2345') // rank 1 of 9001
  t.equal((await h.as(jaina).put('/guilds/9002/settings', { motd: 'Kirin Tor only' })).statusCode, 200)
  t.equal((await h.as(thrall).put('/guilds/9001/settings', { motd: 'Horde only' })).statusCode, 200)
  const before = { 9001: await snapshot(h, thrall, 9001), 9002: await snapshot(h, jaina, 9002) }

  const guildRoutes = h.app.routeCatalog.filter((r) => r.url.includes(':guild_id') && r.method !== 'HEAD')
  t.ok(guildRoutes.length >= 8, `${guildRoutes.length} guild routes, from the app's catalog`)
  const cases: Array<[who: string, token: string, own: number, other: number]> = [
    ['Thrall (GM of 9001)', thrall, 9001, 9002],
    ['Jaina (GM of 9002)', jaina, 9002, 9001],
    ['Saurfang (officer of 9001)', saurfang, 9001, 9002],
  ]
  for (const route of guildRoutes) {
    const key = `${route.method} ${route.url}`
    for (const [who, token, own, other] of cases) {
      const body = BODIES[key]
      const send = (guildId: number) =>
        h.inject({
          method: route.method,
          url: pathOf(route, guildId) + (QUERIES[route.url] ?? ''),
          headers: { authorization: `Bearer ${token}` },
          ...(body === undefined ? {} : { payload: body as object }),
        })
      const theirs = await send(other)
      t.equal(theirs.statusCode, 403, `${key} as ${who} on guild ${other}: ${theirs.body.slice(0, 200)}`)
      t.match(theirs.json(), { statusCode: 403, error: 'Forbidden' })
      t.notMatch(
        theirs.body,
        /taken over|Kirin Tor only|Horde only|Rexxar|Kinndy/,
        'nothing of the other guild in the refusal',
      )
      if (who.startsWith('Saurfang')) continue
      const mine = await send(own)
      t.equal(mine.statusCode, 200, `${key} as ${who} on their own guild ${own}`)
    }
  }

  // The guild masters' own writes above changed their own guilds; put them back and compare.
  await h.as(thrall).put('/guilds/9001/settings', { motd: 'Horde only' })
  await h.as(jaina).put('/guilds/9002/settings', { motd: 'Kirin Tor only' })
  await h.as(thrall).put('/guilds/9001/permissions', before[9001].permissions)
  await h.as(jaina).put('/guilds/9002/permissions', before[9002].permissions)
  const after = { 9001: await snapshot(h, thrall, 9001), 9002: await snapshot(h, jaina, 9002) }
  t.same(after[9002], before[9002], "9002 is as its guild master left it: nothing from 9001's people landed")
  t.same(after[9001], before[9001], "9001 is as its guild master left it: nothing from 9002's people landed")
  t.same(
    (await h.as(thrall).get('/me')).json<{ guilds: Array<{ guild_id: number }> }>().guilds.map((g) => g.guild_id),
    [9001],
    "Thrall's /me lists his guild only",
  )
})
