import { Redis } from 'ioredis'
import { sleep } from '../load/clock.js'
import { startSystem } from '../system/system.js'
import type { OwnPostgres } from '../system/own-postgres.js'
import { invariant, type FaultFigures } from './figures.js'
import { runFault, targetFigures, type Fault } from './fault-run.js'
import { revokeHolds, revokeMidOutage, watchStreams, type Change } from './revoke-probe.js'
import { pauseMs, timing } from './timing.js'

/** §1.1: Redis killed (SIGKILL) for the outage, then restarted empty on the same port. */
export async function redisKilled(pg: OwnPostgres, quick: boolean): Promise<FaultFigures> {
  const sys = await startSystem(pg, 'chaos_redis_kill')
  try {
    const t = timing(quick)
    const fault: Fault = { inject: () => sys.redis.kill(), heal: () => sys.redis.restart() }
    const run = await runFault(sys, t, fault, {
      extra: watchStreams(sys),
      during: () => revokeMidOutage(sys, t.outageMs),
    })
    return redisFigures('Redis killed', t.outageMs, run)
  } finally {
    await sys.close()
  }
}

/** §1.4: Redis hanging: `CLIENT PAUSE <ms> ALL`, every client's commands held until it ends. */
export async function redisHanging(pg: OwnPostgres, quick: boolean): Promise<FaultFigures> {
  const sys = await startSystem(pg, 'chaos_redis_pause')
  try {
    const ms = pauseMs(quick)
    const t = { ...timing(quick), outageMs: ms }
    const admin = sys.redisAdmin()
    const fault: Fault = {
      inject: async () => {
        await admin.call('CLIENT', 'PAUSE', String(ms), 'ALL')
      },
      // The pause ends by itself; back once a fresh connection's PING answers.
      heal: () => untilPingAnswers(sys.redis.port),
    }
    const run = await runFault(sys, t, fault, { extra: watchStreams(sys), during: () => revokeMidOutage(sys, ms) })
    return redisFigures('Redis hanging', ms, run)
  } finally {
    await sys.close()
  }
}

function redisFigures(fault: string, outageMs: number, run: Awaited<ReturnType<typeof runFault>>): FaultFigures {
  const api = targetFigures(run, 'guild-api')
  const perm = targetFigures(run, 'permission-service')
  const watched = Object.fromEntries(Object.entries(run.samples).filter(([name]) => name.startsWith('watch-')))
  return {
    fault,
    outage_s: outageMs / 1000,
    targets: { 'guild-api': api, 'permission-service': perm },
    invariants: [
      invariant(
        'guild-api non-2xx during + after',
        api.during.non2xx + api.after.non2xx,
        '0',
        api.during.non2xx + api.after.non2xx === 0,
      ),
      invariant(
        'permission-service non-2xx during + after',
        perm.during.non2xx + perm.after.non2xx,
        '0',
        perm.during.non2xx + perm.after.non2xx === 0,
      ),
      invariant(
        'permission hit rate back after (s)',
        perm.hit_rate_back_s ?? 'never',
        '< 5',
        perm.hit_rate_back_s !== null && perm.hit_rate_back_s < 5,
      ),
      ...revokeHolds(run.duringResult as Change, watched, run.marks.healDone),
    ],
  }
}

async function untilPingAnswers(port: number): Promise<void> {
  for (;;) {
    const probe = new Redis(port, '127.0.0.1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      commandTimeout: 200,
    })
    probe.on('error', () => undefined)
    try {
      await probe.connect()
      await probe.ping()
      return
    } catch {
      await sleep(50)
    } finally {
      probe.disconnect()
    }
  }
}
