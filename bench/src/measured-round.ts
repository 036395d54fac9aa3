import type { ServiceProcess } from '@guild/testing'
import { runLoad, type LoadResult } from './load.js'
import type { Target } from './scenarios/load.js'
import { cpuTicks, stealPercent } from './steal.js'

/** One round of load and what it cost: the target's processes' CPU a request, and the machine's stolen share. */
export interface MeasuredRound {
  result: LoadResult
  /** User and system time of the target's processes (its `alsoCosts` included) over the requests served, µs. */
  userUs: number
  systemUs: number
  /** The machine's CPU time the hypervisor gave away during the round (%), where /proc/stat says. */
  stealPct: number | undefined
}

/** Runs `target`'s load once, reading the processes' CPU times and the machine's steal on either side. */
export async function measuredRound(target: Target, connections: number, durationS: number): Promise<MeasuredRound> {
  const processes: ServiceProcess[] = [target.process, ...(target.alsoCosts ?? [])]
  const before = processes.map((p) => p.cpuTimes())
  const ticks = cpuTicks()
  const result = await runLoad({ ...target.load, connections, durationS })
  const stealPct = stealPercent(ticks, cpuTicks())
  const after = processes.map((p) => p.cpuTimes())
  const spent = (key: 'userMicros' | 'systemMicros') =>
    after.reduce((sum, a, i) => sum + a[key] - (before[i] as typeof a)[key], 0)
  const requests = Math.max(1, result.requests)
  return { result, userUs: spent('userMicros') / requests, systemUs: spent('systemMicros') / requests, stealPct }
}

/** The log's note of a round's stolen share: `, 4.2% of the machine's CPU time stolen`, or nothing. */
export function stealNote(stealPct: number | undefined): string {
  return stealPct === undefined ? '' : `, ${stealPct.toFixed(1)}% of the machine's CPU time stolen`
}
