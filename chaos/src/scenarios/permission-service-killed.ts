import type { OwnPostgres } from '../system/own-postgres.js'
import { startSystem } from '../system/system.js'
import { invariant, type FaultFigures } from './figures.js'
import { runFault, targetFigures, type Fault } from './fault-run.js'
import { timing } from './timing.js'

/** guild-api's PERMISSION_DEADLINE_MS (its default), and what we allow on top for the answer to travel back. */
const DEADLINE_MS = 250
const SLACK_MS = 100

/**
 * §1.3: permission-service killed (SIGKILL) for the outage, then started again on its port. guild-api's
 * protected route must answer 503 within the client's deadline (never hang, never let a request through
 * unchecked) and recover by itself once the service is back.
 */
export async function permissionServiceKilled(pg: OwnPostgres, quick: boolean): Promise<FaultFigures> {
  const sys = await startSystem(pg, 'chaos_perm_kill')
  try {
    const t = timing(quick)
    const perm = sys.permissions[0] as (typeof sys.permissions)[number]
    const fault: Fault = { inject: () => perm.kill(), heal: () => perm.restart() }
    const run = await runFault(sys, t, fault)
    const api = targetFigures(run, 'guild-api')
    const { marks } = run
    // Requests wholly inside the outage: sent after the kill, answered before the restart began.
    const inside = (run.samples['guild-api'] ?? []).filter(
      (s) => s.start >= marks.faultDone && s.end <= marks.healStart,
    )
    const through = inside.filter((s) => s.status >= 200 && s.status <= 299)
    const slow = inside.filter((s) => s.end - s.start > DEADLINE_MS + SLACK_MS)
    const not503 = inside.filter((s) => s.status !== 503)
    return {
      fault: 'permission-service killed',
      outage_s: t.outageMs / 1000,
      targets: { 'guild-api': api, 'permission-service': targetFigures(run, 'permission-service') },
      invariants: [
        invariant(
          'guild-api 2xx while permission-service was down (let through unchecked)',
          through.length,
          '0',
          through.length === 0,
        ),
        invariant('guild-api answers other than 503 while it was down', not503.length, '0', not503.length === 0),
        invariant(
          `guild-api answers slower than ${DEADLINE_MS} + ${SLACK_MS} ms while it was down`,
          `${slow.length} (max ${Math.round(api.during.max_ms)} ms)`,
          '0',
          slow.length === 0,
        ),
        invariant(
          'seconds until guild-api answers 2xx again',
          api.all_2xx_after_s,
          'recovers, no restart',
          api.after.requests > 0 && api.all_2xx_after_s < t.afterMs / 1000,
        ),
      ],
    }
  } finally {
    await sys.close()
  }
}
