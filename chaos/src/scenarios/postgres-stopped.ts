import { now, sleep } from '../load/clock.js'
import { startedIn } from '../load/phase-stats.js'
import type { StreamSpec } from '../load/steady-load.js'
import type { OwnPostgres } from '../system/own-postgres.js'
import { checkPath, GUILD, TOOLS, USERS, startSystem, type ChaosSystem } from '../system/system.js'
import { invariant, type FaultFigures, type Invariant } from './figures.js'
import { runFault, targetFigures, type Fault } from './fault-run.js'
import { asGuildMaster, type Change } from './revoke-probe.js'
import { timing } from './timing.js'

/** Two tool maps that differ in every row and in row count: any mix of them is visible. */
const MAP_A: Record<string, number> = { ...TOOLS }
const MAP_B: Record<string, number> = { roster: 8, settings: 2, sync: 0, progress: 0, raids: 4 }
/** Rokhan's two characters: the sync during the outage moves both or neither. */
const ROSTER_OLD = { 5201: 4, 5202: 6 }
const ROSTER_NEW = { 5201: 5, 5202: 7 }

interface OutageWrites {
  puts: (Change & { map: 'A' | 'B' })[]
  sync: Change
}

/**
 * §1.2: Postgres stopped (`pg_ctl stop -m fast`) for the outage. Cached answers keep being served; a
 * check nobody has cached is undecidable and must be a 503, never an allow; writes made during the
 * outage fail cleanly and leave the old state or the new one; everything recovers with no restart.
 */
export async function postgresStopped(pg: OwnPostgres, quick: boolean): Promise<FaultFigures> {
  const sys = await startSystem(pg, 'chaos_pg_stop')
  try {
    const t = timing(quick)
    const fault: Fault = { inject: () => pg.stop(), heal: () => pg.start() }
    const run = await runFault(sys, t, fault, {
      extra: { undecidable: undecidableProbes(sys) },
      during: () => writesDuringOutage(sys, t.outageMs),
    })
    const api = targetFigures(run, 'guild-api')
    const perm = targetFigures(run, 'permission-service')
    const { marks } = run
    const probes = run.samples.undecidable ?? []
    const falselyAllowed = probes.filter((s) => s.status === 200 && s.allowed === true)
    // Wholly inside the outage: a probe still waiting when the restart began may rightly be answered by it.
    const probesDuring = startedIn(probes, marks.faultDone, marks.healStart).filter((s) => s.end <= marks.healStart)
    const writes = run.duringResult as OutageWrites
    const invariants: Invariant[] = [
      invariant(
        'permission-service non-2xx on cached checks during the outage',
        perm.during.non2xx,
        '0',
        perm.during.non2xx === 0,
      ),
      invariant(
        'guild-api non-2xx on its cached members route during the outage',
        api.during.non2xx,
        '0',
        api.during.non2xx === 0,
      ),
      invariant(
        'undecidable checks answered 200 has_access=true (all phases)',
        falselyAllowed.length,
        '0',
        falselyAllowed.length === 0,
      ),
      invariant(
        'undecidable checks during the outage answered 503',
        tally(
          probesDuring.map((s) => s.status),
          503,
        ),
        'all',
        probesDuring.every((s) => s.status === 503),
      ),
      invariant(
        'writes during the outage answered 5xx',
        writesTally(writes),
        'all',
        [...writes.puts, writes.sync].every((c) => c.status >= 500),
      ),
      ...(await stateIsWhole(sys)),
      invariant(
        'seconds until guild-api answers 2xx again',
        api.all_2xx_after_s,
        'recovers, no restart',
        api.after.requests > 0 && api.all_2xx_after_s < t.afterMs / 1000,
      ),
      invariant(
        'seconds until permission-service answers 2xx again',
        perm.all_2xx_after_s,
        'recovers, no restart',
        perm.all_2xx_after_s < t.afterMs / 1000,
      ),
      ...(await recoveredWrites(sys)),
    ]
    return {
      fault: 'Postgres stopped',
      outage_s: t.outageMs / 1000,
      targets: { 'guild-api': api, 'permission-service': perm },
      invariants,
    }
  } finally {
    await sys.close()
  }
}

/** The officer asks for tools nobody has asked for (absent from the map: rank 0 only, so the truth is "no"). */
function undecidableProbes(sys: ChaosSystem): StreamSpec {
  return {
    origin: (sys.permissions[0] as { url: string }).url,
    rate: 20,
    path: (n) => checkPath(USERS.saurfang.bnetId, `probe-${n}`),
    headers: { authorization: `Bearer ${sys.serviceToken}` },
    readsCheck: true,
  }
}

/** PUTs alternating two maps, one after the other, and one sync of a changed roster, while Postgres is down. */
async function writesDuringOutage(sys: ChaosSystem, outageMs: number): Promise<OutageWrites> {
  const until = now() + outageMs - 1_000
  await sleep(300)
  sys.fixtures.setRanks(GUILD, ROSTER_NEW)
  const sync = asGuildMaster(sys, 'POST', `/guilds/${GUILD}/sync`)
  const puts: OutageWrites['puts'] = []
  for (let i = 0; now() < until; i++) {
    const map = i % 2 === 0 ? 'B' : 'A'
    puts.push({
      ...(await asGuildMaster(sys, 'PUT', `/guilds/${GUILD}/permissions`, { tools: map === 'A' ? MAP_A : MAP_B })),
      map,
    })
    await sleep(200)
  }
  return { puts, sync: await sync }
}

/** After the outage: the tool map is A or B, never a mix; Rokhan's two characters moved together or not at all. */
async function stateIsWhole(sys: ChaosSystem): Promise<Invariant[]> {
  const rows = await sys.sql<
    { tool: string; max_rank: number }[]
  >`select tool, max_rank from guild_tool_permissions where guild_id = ${GUILD}`
  const map = Object.fromEntries(rows.map((r) => [r.tool, r.max_rank]))
  const which = same(map, MAP_A) ? 'A (old)' : same(map, MAP_B) ? 'B (new)' : `a mix: ${JSON.stringify(map)}`
  const ranks = await sys.sql<
    { character_id: string; rank: number }[]
  >`select character_id, rank from guild_members where guild_id = ${GUILD} and character_id in (5201, 5202)`
  const byId = Object.fromEntries(ranks.map((r) => [Number(r.character_id), r.rank]))
  const roster = same(byId, ROSTER_OLD) ? 'old' : same(byId, ROSTER_NEW) ? 'new' : `a mix: ${JSON.stringify(byId)}`
  return [
    invariant('tool map after the outage', which, 'A or B, never a mix', !which.startsWith('a mix')),
    invariant('roster after the outage', roster, 'old or new, never a mix', !roster.startsWith('a mix')),
  ]
}

/** With Postgres back and no service restarted: a PUT and a sync succeed, and the next check sees the PUT. */
async function recoveredWrites(sys: ChaosSystem): Promise<Invariant[]> {
  const put = await asGuildMaster(sys, 'PUT', `/guilds/${GUILD}/permissions`, { tools: MAP_B })
  const check = await fetch(
    (sys.permissions[0] as { url: string }).url + checkPath(USERS.saurfang.bnetId, 'progress'),
    {
      headers: { authorization: `Bearer ${sys.serviceToken}` },
    },
  )
  const answer = (await check.json()) as { has_access?: boolean }
  const sync = await asGuildMaster(sys, 'POST', `/guilds/${GUILD}/sync`)
  return [
    invariant(
      'after recovery: PUT, the next check, sync',
      `${put.status}, has_access=${String(answer.has_access)}, ${sync.status}`,
      '200, has_access=false, 200',
      put.status === 200 && answer.has_access === false && sync.status === 200,
    ),
  ]
}

/** "n of m", and each write that did not answer 5xx: what, how, after how long. */
function writesTally(writes: OutageWrites): string {
  const all = [...writes.puts.map((c) => ({ ...c, what: `PUT ${c.map}` })), { ...writes.sync, what: 'sync' }]
  const others = all
    .filter((c) => c.status < 500)
    .map((c) => `${c.what}: ${c.status} after ${Math.round(c.answered - c.sent)} ms ${c.body.slice(0, 80)}`)
  return `${all.length - others.length} of ${all.length}${others.length > 0 ? ` (others: ${others.join('; ')})` : ''}`
}

/** "n of m", and what the others were: `363 of 371 (others: 0 ×8)`. */
function tally(statuses: number[], wanted: number | ((status: number) => boolean)): string {
  const good = (status: number) => (typeof wanted === 'number' ? status === wanted : wanted(status))
  const others = new Map<number, number>()
  for (const status of statuses) if (!good(status)) others.set(status, (others.get(status) ?? 0) + 1)
  const rest = [...others].map(([status, n]) => `${status} ×${n}`).join(', ')
  return `${statuses.filter(good).length} of ${statuses.length}${rest ? ` (others: ${rest})` : ''}`
}

function same(a: Record<string | number, number>, b: Record<string | number, number>): boolean {
  const ka = Object.keys(a).sort()
  const kb = Object.keys(b).sort()
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k])
}
