import { readFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * How the machine's idle CPUs wake, which a benchmark of processes that wait on each other depends on.
 * On a KVM guest a CPU with nothing to run halts, and waking it costs a round trip through the host:
 * tens of µs on each hop of a request that crosses processes. Guest halt polling (the cpuidle-haltpoll
 * driver; `guest_halt_poll_ns` > 0) spins briefly before halting, so a wake-up soon after is cheap.
 * A process that never waits (the bare baseline) is not affected either way.
 */
export interface IdleConfig {
  /** /sys/devices/system/cpu/cpuidle/current_driver, e.g. `haltpoll`, `intel_idle`, `acpi_idle`. */
  cpuidle_driver?: string
  /** How long an idle guest CPU polls before halting, ns; 0: it halts at once. Absent: not a haltpoll guest. */
  guest_halt_poll_ns?: number
}

function read(root: string, path: string): string | undefined {
  try {
    return readFileSync(join(root, path), 'utf8').trim()
  } catch {
    return undefined
  }
}

/** The machine's idle configuration, from /sys; fields it does not have are left out. `root` is for tests. */
export function idleConfig(root = '/'): IdleConfig {
  const config: IdleConfig = {}
  const driver = read(root, 'sys/devices/system/cpu/cpuidle/current_driver')
  if (driver) config.cpuidle_driver = driver
  const pollNs = Number(read(root, 'sys/module/haltpoll/parameters/guest_halt_poll_ns') ?? Number.NaN)
  if (Number.isInteger(pollNs) && pollNs >= 0) config.guest_halt_poll_ns = pollNs
  return config
}

/** `cpuidle haltpoll, guest halt polling off (0 ns)`, or nothing where /sys says nothing. */
export function idleNote(config: IdleConfig): string {
  const parts: string[] = []
  if (config.cpuidle_driver !== undefined) parts.push(`cpuidle ${config.cpuidle_driver}`)
  if (config.guest_halt_poll_ns !== undefined) {
    parts.push(
      config.guest_halt_poll_ns === 0
        ? 'guest halt polling off (0 ns)'
        : `guest halt polling ${config.guest_halt_poll_ns.toLocaleString('en')} ns`,
    )
  }
  return parts.join(', ')
}
