import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { registerHordeVanguard, startHarness } from '../helpers/harness.js'

const INTERVAL_S = 10
const INTERVAL_MS = INTERVAL_S * 1000

t.test('without Redis the same sweep runs in the process', async (t) => {
  const h = await startHarness(t, { redis: 'none', env: { ROSTER_SYNC_INTERVAL_S: String(INTERVAL_S) } })
  const thrall = h.as(await registerHordeVanguard(h))
  await h.standin.edit((f) => {
    const entry = f.guilds[0]?.roster.find((m) => m.character_id === 5101)
    if (entry) entry.rank = 3
  })
  const deadline = Date.now() + 2.5 * INTERVAL_MS
  let rank: number | undefined
  while (Date.now() < deadline) {
    await sleep(500)
    rank = (await thrall.get('/guilds/9001/members'))
      .json<Array<{ character_id: number; rank: number }>>()
      .find((m) => m.character_id === 5101)?.rank
    if (rank === 3) break
  }
  t.equal(rank, 3, 'the rank changed in game arrives by the schedule alone')
})
