import { setTimeout as sleep } from 'node:timers/promises'
import { eq, guilds, sql } from '@guild/db'
import t from 'tap'
import { buildApp } from '../../src/app.js'
import { registerHordeVanguard, startHarness } from '../helpers/harness.js'

const HOLD_MS = 800

t.test(
  'one guild is never synced twice at once: across instances a manual sync waits, a scheduled one skips',
  async (t) => {
    const h = await startHarness(t)
    const second = await buildApp({ env: h.env, bnetBackoffMs: 10 })
    t.teardown(() => second.close())
    await second.ready()
    const token = await registerHordeVanguard(h)
    // Long since synced: only the lock can make the scheduled sync skip it.
    await h.app.db.db
      .update(guilds)
      .set({ syncedAt: sql`now() - interval '1 day'` })
      .where(eq(guilds.id, 9001))
    await h.standin.edit((f) => {
      const entry = f.guilds[0]?.roster.find((m) => m.character_id === 5101)
      if (entry) entry.rank = 2
    })
    await h.standin.faults([{ path: '/data/wow/guild/', delay_ms: HOLD_MS, times: 1 }])
    const rosterCalls = () => h.standin.calls.filter((c) => c.path.startsWith('/data/wow/guild/'))
    const from = rosterCalls().length

    const first = h.as(token).post('/guilds/9001/sync')
    // The latch: Battle.net holds the first sync's fetch, so instance one holds the guild.
    while (rosterCalls().length === from) await sleep(5)
    t.equal(
      await second.rosterSyncs.scheduled(9001),
      'skipped',
      'the scheduled sync on instance two skips the guild being synced',
    )
    t.equal(rosterCalls().length, from + 1, 'and asks Battle.net nothing')
    const manual = second.inject({
      method: 'POST',
      url: '/guilds/9001/sync',
      headers: { authorization: `Bearer ${token}` },
    })
    const [a, b] = await Promise.all([first, manual])
    t.same(a.json(), { added: 0, removed: 0, rank_changed: 1 }, 'the first sync applies the change')
    t.same(b.json(), { added: 0, removed: 0, rank_changed: 0 }, 'the second ran after it, on its result')
    const [one, two] = rosterCalls().slice(from)
    t.ok(
      one !== undefined && two !== undefined && two.at - one.at >= HOLD_MS - 20,
      `the second fetch started once the first was answered (${(two?.at ?? 0) - (one?.at ?? 0)} ms later)`,
    )
  },
)
