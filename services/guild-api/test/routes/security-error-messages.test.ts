import t from 'tap'
import { BATTLE_NET_FAILED } from '../../src/battlenet/errors.js'
import { Browser } from '../helpers/browser.js'
import { startHarness } from '../helpers/harness.js'

const FAILED = { statusCode: 502, error: 'Bad Gateway', message: BATTLE_NET_FAILED }

/** What a 502 told clients before: Battle.net's status, our request's path, configuration hints. */
const DETAIL = /BNET_|CLIENT|answered|\/token|\/data\/|418|401|not JSON|unusable/

t.test("a 502 from Battle.net's failure says Battle.net failed; the detail goes to the log alone", async (t) => {
  const h = await startHarness(t, { permissionService: false, captureLogs: true })
  const thrall = h.as(await h.login('Thrall#1234'))

  await h.standin.faults([{ path: '/data/wow/guild/', status: 418 }])
  const roster = await thrall.post('/guilds', { realm: 'area-52', name: 'Horde Vanguard' })
  t.equal(roster.statusCode, 502)
  t.same(roster.json(), FAILED)
  t.notMatch(roster.body, DETAIL, 'no status, path or hint for the client')
  t.ok(
    h.logs.some(
      (line) =>
        line.includes('Battle.net failed') &&
        line.includes('answered 418 to GET /data/wow/guild/area-52/horde-vanguard/roster'),
    ),
    'the detail is logged',
  )

  // Our client credentials refused (a rotated secret): before, the client read "check BNET_CLIENT_ID and
  // BNET_CLIENT_SECRET".
  await h.standin.faults([])
  await h.standin.edit((f) => {
    f.clients = { standin: 'rotated-secret' }
  })
  const login = await new Browser().get(`${h.url}/auth/login?login_hint=Thrall%231234`)
  t.equal(login.status, 502)
  t.same(login.json(), FAILED)
  t.notMatch(login.body, DETAIL)
  t.ok(
    h.logs.some((line) => line.includes('check BNET_CLIENT_ID and BNET_CLIENT_SECRET')),
    'the hint is for the operator, in the log',
  )
})
// A registered guild Battle.net files elsewhere stays a 502 the user can act on (battlenet-failures).
