import { now, sleep } from '../load/clock.js'
import { monitorHitRate, type HitRateMonitor, type HitSource } from '../load/hit-rate-monitor.js'
import { phaseStats, round, startedIn } from '../load/phase-stats.js'
import { startStream, type Sample, type StreamSpec } from '../load/steady-load.js'
import { checkPath, GUILD, USERS, type ChaosSystem } from '../system/system.js'
import type { TargetFigures } from './figures.js'
import type { Timing } from './timing.js'

/** What a fault does to a dependency, and how it ends. Both resolve once done. */
export interface Fault {
  inject(): Promise<void>
  /** Brings the dependency back; resolves once it answers again. */
  heal(): Promise<void>
}

/** The moments a run records; phases are cut at them by each request's start. */
export interface Marks {
  before: number
  faultStart: number
  faultDone: number
  healStart: number
  healDone: number
  end: number
}

export interface FaultRun {
  marks: Marks
  /**
   * Samples per stream name: the steady `guild-api` and `permission-service` loads, and the scenario's extra streams.
   */
  samples: Record<string, Sample[]>
  monitors: Record<string, HitRateMonitor>
  /** What `during` resolved with. */
  duringResult: unknown
}

/** The steady load's rates (req/s) on each service. */
export const RATE = { guildApi: 200, permission: 200 }

/** The permission-service load's keys: four users (allowed, denied, not a member) × four tools. */
const CHECK_KEYS = [USERS.thrall, USERS.saurfang, USERS.rokhan, USERS.chromie].flatMap((u) =>
  ['roster', 'settings', 'sync', 'members-view'].map((tool) => checkPath(u.bnetId, tool)),
)

/** The two steady loads of §1: guild-api's members route with the guild master's session, and checks. */
export function steadyStreams(sys: ChaosSystem): Record<string, StreamSpec> {
  return {
    'guild-api': {
      origin: sys.guildApi.url,
      rate: RATE.guildApi,
      path: () => `/guilds/${GUILD}/members`,
      headers: { authorization: `Bearer ${sys.gmToken}` },
    },
    'permission-service': {
      origin: (sys.permissions[0] as { url: string }).url,
      rate: RATE.permission,
      path: (n) => CHECK_KEYS[n % CHECK_KEYS.length] as string,
      headers: { authorization: `Bearer ${sys.serviceToken}` },
      readsCheck: true,
    },
  }
}

const HIT_SOURCES: Record<string, HitSource> = {
  'guild-api': 'cache-requests',
  'permission-service': 'permission-layers',
}

/**
 * Warm-up, then before / during / after under the steady load (and `extra` streams). `during` runs
 * alongside the outage, once the fault is in, and is awaited before the dependency comes back.
 */
export async function runFault(
  sys: ChaosSystem,
  t: Timing,
  fault: Fault,
  options: { extra?: Record<string, StreamSpec>; during?: (marks: Partial<Marks>) => Promise<unknown> } = {},
): Promise<FaultRun> {
  const specs = { ...steadyStreams(sys), ...options.extra }
  const streams = Object.fromEntries(Object.entries(specs).map(([name, spec]) => [name, startStream(spec)]))
  const monitors: Record<string, HitRateMonitor> = {
    'guild-api': monitorHitRate(sys.guildApi.url, HIT_SOURCES['guild-api'] as HitSource),
    'permission-service': monitorHitRate(
      (sys.permissions[0] as { url: string }).url,
      HIT_SOURCES['permission-service'] as HitSource,
    ),
  }
  const marks: Partial<Marks> = {}
  let duringResult: unknown
  try {
    await sleep(t.warmupMs)
    marks.before = now()
    await sleep(t.beforeMs)
    marks.faultStart = now()
    await fault.inject()
    marks.faultDone = now()
    const during = options.during?.(marks)
    await sleep(t.outageMs - (now() - marks.faultStart))
    duringResult = await during
    marks.healStart = now()
    await fault.heal()
    marks.healDone = now()
    await sleep(t.afterMs)
    marks.end = now()
  } finally {
    await Promise.all(Object.values(monitors).map((m) => m.stop()))
  }
  const samples: Record<string, Sample[]> = {}
  for (const [name, stream] of Object.entries(streams)) samples[name] = await stream.stop()
  return { marks: marks as Marks, samples, monitors, duringResult }
}

/** Phase figures of one steady stream, with its hit rate and how soon it was whole again. */
export function targetFigures(run: FaultRun, name: string): TargetFigures {
  const { marks } = run
  const samples = run.samples[name] ?? []
  const before = startedIn(samples, marks.before, marks.faultStart)
  const during = startedIn(samples, marks.faultStart, marks.healDone)
  const after = startedIn(samples, marks.healDone, marks.end)
  const monitor = run.monitors[name]
  const hitBefore = monitor?.rateBetween(marks.before, marks.faultStart) ?? null
  const hitDuring = monitor?.rateBetween(marks.faultDone, marks.healStart) ?? null
  const lastBad = after
    .filter((s) => s.status < 200 || s.status > 299)
    .reduce((m, s) => Math.max(m, s.start), marks.healDone)
  return {
    before: phaseStats(before),
    during: phaseStats(during),
    after: phaseStats(after),
    hit_rate_before: hitBefore === null ? null : round(hitBefore, 3),
    hit_rate_during: hitDuring === null ? null : round(hitDuring, 3),
    hit_rate_back_s: hitBefore === null ? null : (monitor?.secondsUntil(marks.healDone, 0.9 * hitBefore) ?? null),
    all_2xx_after_s: round((lastBad - marks.healDone) / 1000),
  }
}
