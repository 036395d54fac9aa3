import { exchange, httpTarget } from '../load/http.js'
import { readHasAccess } from '../load/steady-load.js'

/** One check of the race: when it left, when it answered, which instance, and what it said. */
export interface RaceCheck {
  start: number
  end: number
  instance: number
  status: number
  allowed: boolean | undefined
}

export interface Checkers {
  checks: RaceCheck[]
  stop(): Promise<RaceCheck[]>
}

/**
 * `count` concurrent checkers, each asking the same check again as soon as it has its answer, spread
 * round-robin over the instances.
 */
export function startCheckers(origins: readonly string[], count: number, path: string, serviceToken: string): Checkers {
  const targets = origins.map((origin) => httpTarget(origin, Math.ceil(count / origins.length)))
  const headers = { authorization: `Bearer ${serviceToken}` }
  const checks: RaceCheck[] = []
  let running = true
  const loops = Array.from({ length: count }, async (_, i) => {
    const instance = i % targets.length
    const target = targets[instance] as (typeof targets)[number]
    while (running) {
      const x = await exchange(target, { path, headers, timeoutMs: 2_000 })
      checks.push({
        start: x.start,
        end: x.end,
        instance,
        status: x.status,
        allowed: x.status === 200 ? readHasAccess(x.body) : undefined,
      })
      // A refused connection answers at once: don't spin on it.
      if (x.status === 0) await new Promise((r) => setTimeout(r, 10))
    }
  })
  return {
    checks,
    stop: async () => {
      running = false
      await Promise.all(loops)
      await Promise.all(targets.map((t) => t.close()))
      return checks
    },
  }
}
