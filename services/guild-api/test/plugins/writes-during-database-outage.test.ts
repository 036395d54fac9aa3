import { createDb } from '@guild/db'
import t from 'tap'
import { registerHordeVanguard, startHarness } from '../helpers/harness.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const OLD = { roster: 9, settings: 1, sync: 1, progress: 3 }
const NEW = { roster: 8, settings: 2, sync: 0, raids: 4 }

/**
 * The chaos suite's "Postgres stopped" (docs/reliability.md, "Faults under load") in small: writes caught by the outage
 * fail with a 5xx and leave the old state whole, and the service recovers without a restart.
 */
t.test('a write cut off by a database outage answers 5xx and leaves the old state whole', async (t) => {
  const h = await startHarness(t, { databaseProxy: true })
  const gm = h.as(await registerHordeVanguard(h))
  const db = createDb({ url: h.pg.url, max: 1 })
  t.teardown(() => db.close())
  t.equal((await gm.put('/guilds/9001/permissions', { tools: OLD })).statusCode, 200)
  const rokhan = async () =>
    (
      await db.sql<
        { rank: number }[]
      >`select rank from guild_members where guild_id = 9001 and character_id in (5201, 5202) order by character_id`
    ).map((r) => r.rank)
  t.same(await rokhan(), [4, 6])

  // The link hangs as the writes start (their statements sent, no answer), then is cut under them.
  await h.standin.edit((f) => {
    for (const line of f.guilds[0]?.roster ?? []) {
      if (line.character_id === 5201) line.rank = 5
      if (line.character_id === 5202) line.rank = 7
    }
  })
  h.dbProxy?.hang()
  const put = gm.put('/guilds/9001/permissions', { tools: NEW })
  const sync = gm.post('/guilds/9001/sync')
  await sleep(200)
  await h.dbProxy?.cut()
  const [putRes, syncRes] = await Promise.all([put, sync])
  t.equal(putRes.statusCode, 503, `PUT permissions: ${putRes.body}`)
  t.equal(syncRes.statusCode, 503, `POST sync: ${syncRes.body}`)

  const rows = await db.sql<
    { tool: string; max_rank: number }[]
  >`select tool, max_rank from guild_tool_permissions where guild_id = 9001`
  t.same(Object.fromEntries(rows.map((r) => [r.tool, r.max_rank])), OLD, 'the tool map is the old one, whole')
  t.same(await rokhan(), [4, 6], 'the roster is the old one, whole')

  await h.dbProxy?.restore()
  let status = 0
  for (let i = 0; i < 50 && status !== 200; i++) {
    status = (await gm.put('/guilds/9001/permissions', { tools: NEW })).statusCode
    if (status !== 200) await sleep(100)
  }
  t.equal(status, 200, 'the same PUT succeeds once the database is back, no restart')
  t.same((await gm.get('/guilds/9001/permissions')).json(), { tools: NEW })
  t.same((await gm.post('/guilds/9001/sync')).json(), { added: 0, removed: 0, rank_changed: 2 }, 'and so does the sync')
  t.same(await rokhan(), [5, 7])
})
