import { now, sleep } from '../load/clock.js'
import type { Sample, StreamSpec } from '../load/steady-load.js'
import { checkPath, GUILD, TOOLS, USERS, type ChaosSystem } from '../system/system.js'
import { invariant, type Invariant } from './figures.js'

/** A PUT or POST through guild-api as the guild master: when it left, when it answered, and how. */
export interface Change {
  sent: number
  answered: number
  status: number
  body: string
}

export async function asGuildMaster(
  sys: ChaosSystem,
  method: 'PUT' | 'POST',
  path: string,
  body?: unknown,
): Promise<Change> {
  const sent = now()
  try {
    const res = await fetch(sys.guildApi.url + path, {
      method,
      headers: {
        authorization: `Bearer ${sys.gmToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    })
    return { sent, answered: now(), status: res.status, body: await res.text() }
  } catch (err) {
    return { sent, answered: now(), status: 0, body: (err as Error).message }
  }
}

/** Revokes the officer's `progress` (rank 3 → 0): the change the probes watch. */
export function revokeProgress(sys: ChaosSystem): Promise<Change> {
  return asGuildMaster(sys, 'PUT', `/guilds/${GUILD}/permissions`, { tools: { ...TOOLS, progress: 0 } })
}

/** Checks of the officer's `progress` on every permission-service instance, 50 a second each. */
export function watchStreams(sys: ChaosSystem): Record<string, StreamSpec> {
  return Object.fromEntries(
    sys.permissions.map((p, i) => [
      `watch-${i}`,
      {
        origin: p.url,
        rate: 50,
        path: () => checkPath(USERS.saurfang.bnetId, 'progress'),
        headers: { authorization: `Bearer ${sys.serviceToken}` },
        readsCheck: true,
      },
    ]),
  )
}

/** During an outage: wait a third of it, then revoke. */
export async function revokeMidOutage(sys: ChaosSystem, outageMs: number): Promise<Change> {
  await sleep(outageMs / 3)
  return await revokeProgress(sys)
}

/**
 * The revoke made during the outage must hold for every check that started after it answered:
 * any allow then is a stale answer served from a copy the invalidation did not reach. Counted apart:
 * while the dependency was still out (before `back`), and after it was back.
 */
export function revokeHolds(change: Change, watched: Record<string, Sample[]>, back: number): Invariant[] {
  const after = Object.values(watched)
    .flat()
    .filter((s) => s.start >= change.answered && s.status === 200)
  const describe = (from: number, to: number, origin: number) => {
    const inside = after.filter((s) => s.start >= from && s.start < to)
    const bad = inside.filter((s) => s.allowed === true)
    const last = bad.reduce((m, s) => Math.max(m, s.end), origin)
    return {
      text:
        `${bad.length} of ${inside.length}` +
        (bad.length > 0
          ? ` (last ${Math.round(last - origin)} ms after ${origin === back ? 'it was back' : 'the answer'})`
          : ''),
      ok: bad.length === 0,
    }
  }
  const out: Invariant[] = [
    invariant(
      'revoke during the outage answered',
      change.status,
      '200 (a change still works), or 5xx',
      change.status === 200 || change.status >= 500,
    ),
  ]
  if (change.status !== 200) return out
  const during = describe(change.answered, back, change.answered)
  const later = describe(back, Number.POSITIVE_INFINITY, back)
  out.push(
    invariant('stale allows after that revoke answered, while still out', during.text, '0', during.ok),
    invariant('stale allows after that revoke answered, once back', later.text, '0', later.ok),
  )
  return out
}
