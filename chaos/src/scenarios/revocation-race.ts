import { sleep } from '../load/clock.js'
import { analyseRace, type Cycle, type RaceFigures } from '../race/analysis.js'
import { startCheckers } from '../race/checkers.js'
import type { OwnPostgres } from '../system/own-postgres.js'
import { checkPath, GUILD, TOOLS, USERS, startSystem, type ChaosSystem } from '../system/system.js'
import type { RunConditions } from './figures.js'
import { asGuildMaster, type Change } from './revoke-probe.js'

export interface RaceReport {
  permissions: RaceFigures
  sync: RaceFigures
  conditions?: RunConditions
}

const CHECKERS = 200
/** How long each state holds before the next change: long enough for many checks wholly inside it. */
const HOLD_MS = 100

/** The officer's rank in the fixture (1) and the demotion (5) past `progress`'s highest rank (3). */
const OFFICER_RANK = 1
const DEMOTED_RANK = 5

/**
 * §2: two permission-services on one Redis with the bus on, 200 checkers of the officer's `progress`
 * spread over both, while the guild master revokes and restores it through guild-api: first by
 * `PUT /permissions`, then by a sync that demotes and promotes the officer.
 */
export async function revocationRace(
  pg: OwnPostgres,
  quick: boolean,
  log: (line: string) => void,
): Promise<RaceReport> {
  const sys = await startSystem(pg, 'chaos_race', 2)
  const cycles = quick ? 20 : 100
  try {
    const putTools = (progress: number) =>
      asGuildMaster(sys, 'PUT', `/guilds/${GUILD}/permissions`, { tools: { ...TOOLS, progress } })
    const permissions = await race(
      sys,
      cycles,
      () => putTools(0),
      () => putTools(TOOLS.progress),
    )
    log(
      `race (PUT permissions): ${permissions.stale_allows_after_answer} stale allows after the answer ` +
        `over ${permissions.cycles} cycles`,
    )
    const resync = (rank: number) => {
      sys.fixtures.setRanks(GUILD, { [USERS.saurfang.characterId]: rank })
      return asGuildMaster(sys, 'POST', `/guilds/${GUILD}/sync`)
    }
    const sync = await race(
      sys,
      cycles,
      () => resync(DEMOTED_RANK),
      () => resync(OFFICER_RANK),
    )
    log(`race (sync): ${sync.stale_allows_after_answer} stale allows after the answer over ${sync.cycles} cycles`)
    return { permissions, sync }
  } finally {
    await sys.close()
  }
}

async function race(
  sys: ChaosSystem,
  cycles: number,
  revoke: () => Promise<Change>,
  restore: () => Promise<Change>,
): Promise<RaceFigures> {
  const checkers = startCheckers(
    sys.permissions.map((p) => p.url),
    CHECKERS,
    checkPath(USERS.saurfang.bnetId, 'progress'),
    sys.serviceToken,
  )
  const done: Cycle[] = []
  try {
    await sleep(500)
    for (let i = 0; i < cycles; i++) {
      const r = await revoke()
      await sleep(HOLD_MS)
      const s = await restore()
      done.push({
        revokeSent: r.sent,
        revokeAnswered: r.answered,
        revokeStatus: r.status,
        revokeBody: r.body,
        restoreSent: s.sent,
        restoreAnswered: s.answered,
        restoreStatus: s.status,
        restoreBody: s.body,
      })
      await sleep(HOLD_MS)
    }
  } finally {
    await checkers.stop()
  }
  return analyseRace(done, checkers.checks)
}
