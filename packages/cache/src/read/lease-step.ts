import type { CacheContext } from '../context.js'
import { CacheUnavailableError } from '../errors.js'
import { registerInIndexes, type EntryTags } from '../invalidate/key-index.js'
import { acquireLeases, type LeaseOutcome } from '../write/write-guard.js'

export type KeyedOutcome = readonly [string, LeaseOutcome | undefined]

/**
 * The lease step: the keys recorded in their indexes (for `lifeSeconds`: the TTL plus any grace, the
 * stale copy's life), then their leases, in the write guard's order. Both decide who loads, so a late
 * reply is waited for up to lockWaitMs. Redis unavailable: every outcome undefined (load, store nothing).
 */
export async function leaseMany(
  ctx: CacheContext,
  keys: readonly string[],
  lifeSeconds: number,
  deadline: number,
  tagging: EntryTags | undefined,
): Promise<KeyedOutcome[]> {
  try {
    const late = ctx.options.lockWaitMs
    await registerInIndexes(ctx, keys, lifeSeconds, tagging, deadline, late)
    const outcomes = await acquireLeases(ctx, keys, deadline, late)
    return keys.map((k, i) => [k, outcomes[i]] as const)
  } catch (err) {
    if (!(err instanceof CacheUnavailableError)) throw err
    return keys.map((k) => [k, undefined] as const)
  }
}

/** Which keys to load after the lease step, and the leases held for them (only a holder writes). */
export interface LoadPlan {
  tokens: Map<string, string>
  toLoad: string[]
}

/**
 * From the lease outcomes: an asked key another process filled meanwhile goes into `found`; every other
 * asked key is loaded (held elsewhere or Redis unavailable: loaded too, in the same loader call, but not
 * written). A prefetch key is loaded only under our own lease: anything else is there or on its way.
 */
export function planLoads<T>(
  outcomes: readonly KeyedOutcome[],
  asked: ReadonlySet<string>,
  parse: (key: string, raw: string) => { value: T } | undefined,
  found: Map<string, T>,
): LoadPlan {
  const plan: LoadPlan = { tokens: new Map(), toLoad: [] }
  for (const [key, outcome] of outcomes) {
    if (!asked.has(key)) {
      if (outcome?.kind === 'acquired') {
        plan.tokens.set(key, outcome.token)
        plan.toLoad.push(key)
      }
      continue
    }
    if (outcome?.kind === 'filled') {
      const filled = parse(key, outcome.raw)
      if (filled !== undefined) {
        found.set(key, filled.value)
        continue
      }
    }
    if (outcome?.kind === 'acquired') plan.tokens.set(key, outcome.token)
    plan.toLoad.push(key)
  }
  return plan
}
