import { setTimeout as sleep } from 'node:timers/promises'
import { eq, guilds, sql } from '@guild/db'
import t from 'tap'
import { buildApp } from '../../src/app.js'
import { registerHordeVanguard, startHarness } from '../helpers/harness.js'

const INTERVAL_S = 10
const INTERVAL_MS = INTERVAL_S * 1000

t.test(
  'two instances on BullMQ: each guild synced once per interval; a guild Battle.net lost is marked, never deleted',
  async (t) => {
    const h = await startHarness(t, { env: { ROSTER_SYNC_INTERVAL_S: String(INTERVAL_S) } })
    const second = await buildApp({ env: h.env, bnetBackoffMs: 10 })
    t.teardown(() => second.close())
    await second.ready()
    const thrall = h.as(await registerHordeVanguard(h))
    const jaina = h.as(await h.login('Jaina#4567'))
    t.equal((await jaina.post('/guilds', { realm: 'proudmoore', name: 'Kirin Tor Council' })).statusCode, 201)
    const registeredIn = Math.floor(Date.now() / INTERVAL_MS)
    // As if registered long ago, so that the next interval's sweep does not skip them as just synced.
    await h.app.db.db.update(guilds).set({ syncedAt: sql`now() - interval '1 day'` })
    const before = (await thrall.get('/guilds/9001')).json<{ synced_at: string }>().synced_at

    // A rank changed in game: the schedule brings it in without anyone pressing sync.
    await h.standin.edit((f) => {
      const entry = f.guilds[0]?.roster.find((m) => m.character_id === 5101)
      if (entry) entry.rank = 2
    })
    // The two whole intervals after the registration's.
    const measured = [registeredIn + 1, registeredIn + 2]
    await sleep((registeredIn + 3) * INTERVAL_MS - Date.now() + 500)
    const rosterCalls = h.standin.calls.filter((c) => c.path.startsWith('/data/wow/guild/'))
    for (const guild of ['horde-vanguard', 'kirin-tor-council']) {
      const perInterval = measured.map(
        (slot) =>
          rosterCalls.filter((c) => c.path.includes(`/${guild}/`) && Math.floor(c.at / INTERVAL_MS) === slot).length,
      )
      t.comment(
        `${guild}: roster fetches in two consecutive ${INTERVAL_S} s intervals with two instances: ` +
          perInterval.join(', '),
      )
      t.same(perInterval, [1, 1], `${guild}: one fetch per interval, whatever the number of instances`)
    }
    const summary = (await thrall.get('/guilds/9001')).json<{ synced_at: string }>()
    t.ok(Date.parse(summary.synced_at) > Date.parse(before), `synced_at moved on (${before} → ${summary.synced_at})`)
    const members = (await thrall.get('/guilds/9001/members')).json<Array<{ character_id: number; rank: number }>>()
    t.equal(members.find((m) => m.character_id === 5101)?.rank, 2, 'the rank changed in game is here')

    // Kirin Tor Council disbands: its next scheduled sync marks it and keeps everything.
    await h.standin.edit((f) => {
      f.guilds = f.guilds.filter((g) => g.id !== 9002)
    })
    const countBefore = (await jaina.get('/guilds/9002')).json<{ member_count: number }>().member_count
    await sleep((Math.floor(Date.now() / INTERVAL_MS) + 1) * INTERVAL_MS - Date.now() + 2_000)
    const [row] = await h.app.db.db.select().from(guilds).where(eq(guilds.id, 9002))
    t.ok(row?.bnetMissingSince instanceof Date, 'marked: bnet_missing_since is set')
    const after = await jaina.get('/guilds/9002')
    t.equal(after.statusCode, 200, 'never deleted')
    t.equal(
      after.json<{ bnet_missing_since: string | null }>().bnet_missing_since,
      row?.bnetMissingSince?.toISOString(),
      'and reported in its summary',
    )
    t.equal(after.json<{ member_count: number }>().member_count, countBefore, 'its members keep their last known ranks')

    const metrics =
      (await h.inject({ method: 'GET', url: '/metrics' })).body +
      (await second.inject({ method: 'GET', url: '/metrics' })).body
    t.match(
      metrics,
      /guild_api_roster_syncs_total\{trigger="scheduled",result="synced"\} [1-9]/,
      'scheduled syncs counted',
    )
    t.match(
      metrics,
      /guild_api_roster_syncs_total\{trigger="scheduled",result="gone"\} [1-9]/,
      'the lost guild reported',
    )
    t.match(metrics, /guild_api_roster_sync_duration_seconds_count\{trigger="scheduled"\} [1-9]/)
    t.match(metrics, /guild_api_roster_oldest_age_seconds \d/)
    t.match(metrics, /guild_api_guilds_missing_from_bnet 1/)
  },
)
