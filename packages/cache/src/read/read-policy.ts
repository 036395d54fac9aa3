import { CacheInputError } from '../errors.js'
import { assertTtl, MAX_TTL } from '../keys/ttl.js'
import type { GraceOptions, LoaderContext, LoaderTimeouts } from '../types.js'

/** What one read-through call may do beyond its TTL: its grace (s) and loader timeouts (ms). */
export interface ReadPolicy {
  ttl: number
  grace: number
  softMs: number | undefined
  hardMs: number | undefined
}

/** Timeouts as given to createCache or a call, checked; `name` says where in an error. */
export function checkTimeouts(timeouts: LoaderTimeouts | undefined, name: string): LoaderTimeouts {
  if (timeouts === undefined) return {}
  if (timeouts === null || typeof timeouts !== 'object')
    throw new CacheInputError(`${name} must be { soft?, hard? } in milliseconds`)
  for (const which of ['soft', 'hard'] as const) {
    const ms = timeouts[which]
    if (ms !== undefined && (!Number.isInteger(ms) || ms < 1))
      throw new CacheInputError(`${name}.${which} must be a whole number of milliseconds >= 1, got ${String(ms)}`)
  }
  return { ...timeouts }
}

/** The entry's TTL and its grace together: the stale copy lives ttl + grace, and no key outlives a day. */
export function assertTtlWithGrace(ttl: number, grace: number, name: string): void {
  if (ttl + grace > MAX_TTL)
    throw new CacheInputError(`${name}: ttl + grace (${ttl} + ${grace} s) must be at most ${MAX_TTL} s`)
}

/**
 * The policies of calls without timeouts of their own, by TTL and grace: every read-through call needs
 * one, and a hit should not have to build it.
 */
export class ReadPolicies {
  readonly #common = new Map<number, ReadPolicy>()

  constructor(private readonly defaults: LoaderTimeouts) {}

  of(name: string, ttl: number, options: GraceOptions | undefined): ReadPolicy {
    if (options?.timeouts !== undefined) return readPolicy(name, ttl, options, this.defaults)
    const grace = options?.grace ?? 0
    // ttl and grace are whole seconds up to a day once checked: the number is a unique key.
    const id = ttl * 1_000_000 + grace
    let policy = Number.isInteger(grace) && grace >= 0 && grace < 1_000_000 ? this.#common.get(id) : undefined
    if (policy === undefined) {
      policy = readPolicy(name, ttl, options, this.defaults)
      this.#common.set(id, policy)
    }
    return policy
  }
}

export function readPolicy(
  name: string,
  ttl: number,
  options: GraceOptions | undefined,
  defaults: LoaderTimeouts,
): ReadPolicy {
  const grace = options?.grace ?? 0
  if (!Number.isInteger(grace) || grace < 0)
    throw new CacheInputError(`${name}: grace must be a whole number of seconds >= 0, got ${String(grace)}`)
  assertTtlWithGrace(ttl, grace, name)
  const own = checkTimeouts(options?.timeouts, `${name}: timeouts`)
  return { ttl, grace, softMs: own.soft ?? defaults.soft, hardMs: own.hard ?? defaults.hard }
}

/** The loader's context: `setTtl` changes the TTL the loaded value is stored with, checked at once. */
export function loaderContext(policy: ReadPolicy): LoaderContext {
  let ttl = policy.ttl
  return {
    get ttl() {
      return ttl
    },
    setTtl(seconds: number) {
      assertTtl(seconds)
      assertTtlWithGrace(seconds, policy.grace, 'setTtl')
      ttl = seconds
    },
  }
}
