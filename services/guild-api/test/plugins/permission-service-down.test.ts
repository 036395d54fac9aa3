import t from 'tap'
import { registerHordeVanguard, startHarness, type Client } from '../helpers/harness.js'

const UNAVAILABLE = { statusCode: 503, error: 'Service Unavailable', message: 'permission check unavailable' }

/** The routes permission-service guards, as each asks it something. Four: under the client's breaker threshold. */
const GUARDED: Array<[string, (c: Client) => ReturnType<Client['get']>]> = [
  ['GET members', (c) => c.get('/guilds/9001/members')],
  ['PUT settings', (c) => c.put('/guilds/9001/settings', { motd: 'x' })],
  ['POST sync', (c) => c.post('/guilds/9001/sync')],
  ['GET me/tools', (c) => c.get('/guilds/9001/me/tools?tools=roster')],
]

t.test('permission-service down: guarded routes answer 503, never allowed; it coming back restores them', async (t) => {
  const h = await startHarness(t)
  const gm = h.as(await registerHordeVanguard(h))
  t.equal((await gm.get('/guilds/9001/members')).statusCode, 200)

  await h.perm?.stop()
  for (const [name, call] of GUARDED) {
    const res = await call(gm)
    t.equal(res.statusCode, 503, `${name}, even for the guild master`)
    t.same(res.json(), UNAVAILABLE, name)
  }
  t.same((await gm.get('/guilds/9001/settings')).json(), {}, 'the settings were not changed')
  t.equal(
    (await gm.get('/guilds/9001')).statusCode,
    200,
    'member routes are checked against the roster, not the service',
  )
  const metrics = (await h.inject({ url: '/metrics' })).body
  // me/tools asks a batch; the other three a single check each.
  t.match(
    metrics,
    /guild_api_permission_check_duration_seconds_count\{op="check",outcome="undecided"\} 3\n/,
    'the undecided waits are timed as such',
  )
  t.match(
    metrics,
    /guild_api_permission_check_duration_seconds_count\{op="batch",outcome="undecided"\} 1\n/,
    'the batch too',
  )
  t.match(
    metrics,
    /guild_api_permission_check_duration_seconds_count\{op="check",outcome="decided"\} 1\n/,
    'and the one answer before',
  )

  await h.perm?.restart()
  t.equal((await gm.get('/guilds/9001/members')).statusCode, 200, 'back')
})

t.test('permission-service too slow: 503 within the deadline', async (t) => {
  const h = await startHarness(t, { permissionProxy: true, env: { PERMISSION_DEADLINE_MS: '300' } })
  const gm = h.as(await registerHordeVanguard(h))
  const officer = h.as(await h.login('Saurfang#2345'))
  h.permProxy?.hang()
  const started = Date.now()
  const res = await officer.put('/guilds/9001/settings', { motd: 'x' })
  t.equal(res.statusCode, 503)
  t.same(res.json(), UNAVAILABLE)
  t.ok(Date.now() - started < 1_500, `answered within the deadline (${Date.now() - started} ms)`)
  await h.permProxy?.restore()
  await h.permProxy?.cut()
  t.equal((await officer.put('/guilds/9001/settings', { motd: 'x' })).statusCode, 503, 'link cut: 503')
  await h.permProxy?.restore()
  t.same((await gm.get('/guilds/9001/settings')).json(), {}, 'nothing was written while unchecked')
})
