import { readFileSync } from 'node:fs'

/** The machine's CPU time so far, from /proc/stat: all of it, and what the hypervisor gave to other guests. */
export interface CpuTicks {
  steal: number
  total: number
}

export function cpuTicks(): CpuTicks | undefined {
  try {
    const first = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? ''
    const fields = first.trim().split(/\s+/).slice(1).map(Number)
    // user nice system idle iowait irq softirq steal guest guest_nice: guest time is already in user.
    const counted = fields.slice(0, 8)
    return { steal: counted[7] ?? 0, total: counted.reduce((a, b) => a + b, 0) }
  } catch {
    return undefined
  }
}

/**
 * The share (%) of the machine's CPU time the hypervisor gave away between two readings: on a shared VM
 * that is time a round's processes wanted and did not get, the main reason two rounds of the same
 * code disagree. undefined where /proc/stat is not there.
 */
export function stealPercent(before: CpuTicks | undefined, after: CpuTicks | undefined): number | undefined {
  if (!before || !after || after.total <= before.total) return undefined
  return (100 * (after.steal - before.steal)) / (after.total - before.total)
}
