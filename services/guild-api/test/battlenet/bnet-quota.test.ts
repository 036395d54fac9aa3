import { claimRedisDb } from '@guild/testing'
import t, { type Test } from 'tap'
import { BattleNetUnavailableError } from '../../src/battlenet/errors.js'
import { BnetQuota, DELIVERY_MARGIN_MS, slotPlan } from '../../src/battlenet/quota.js'
import { rateLimitRedis } from '../../src/plugins/app/auth-rate-limit.js'

t.test('the slot plan keeps any window (plus the delivery margin) within the limit, and uses most of it', async (t) => {
  for (const limit of [2, 3, 10, 40, 100, 250, 1_000, 36_000]) {
    for (const windowMs of [1_000, 3_600_000]) {
      const { slotMs, perSlot } = slotPlan(limit, windowMs)
      const overlapped = Math.ceil((windowMs + DELIVERY_MARGIN_MS) / slotMs) + 1
      t.ok(overlapped * perSlot <= limit, `${limit}/${windowMs} ms: ${overlapped} slots of ${perSlot}`)
      if (limit >= 40)
        t.ok(
          (perSlot * windowMs) / slotMs >= limit * 0.6,
          `${limit}: at least 60% usable (${((perSlot * windowMs) / slotMs).toFixed(0)})`,
        )
    }
  }
})

/** A quota on the test's Redis database whose clock stands still, so that nothing rolls into the next slot. */
async function quotas(t: Test, n: number, options: { url?: string; now?: () => number } = {}) {
  const db = options.url === undefined ? await claimRedisDb() : undefined
  if (db !== undefined) t.teardown(() => db.release())
  const url = options.url ?? db?.url
  const made: BnetQuota[] = []
  for (let i = 0; i < n; i++) {
    const redis = rateLimitRedis({ url })
    redis?.on('error', () => undefined)
    t.teardown(() => redis?.disconnect())
    if (options.url === undefined) await new Promise<void>((resolve) => redis?.once('ready', () => resolve()))
    made.push(
      new BnetQuota({
        perSecond: 100,
        perHour: 36_000,
        redis,
        processShare: 0.5,
        interactiveWaitMs: 0,
        backgroundWaitMs: 0,
        ...(options.now ? { now: options.now } : {}),
      }),
    )
  }
  return made
}

t.test('one budget for every instance; background calls leave the reserve to users', async (t) => {
  const at = 1_000_000_000_000 + 10 // a fixed instant, early in its 50 ms slot of 4 calls
  const [a, b] = (await quotas(t, 2, { now: () => at })) as [BnetQuota, BnetQuota]
  await a.take('background')
  await b.take('background')
  await a.take('background')
  await t.rejects(b.take('background'), BattleNetUnavailableError, 'background stops at 3 of 4: the last is for a user')
  await b.take('interactive')
  await t.rejects(a.take('interactive'), BattleNetUnavailableError, 'the slot is spent, by both instances together')
})

t.test("a 429's pause holds every instance", async (t) => {
  const [a, b] = (await quotas(t, 2)) as [BnetQuota, BnetQuota]
  await a.pause(2)
  const err = await b.take('interactive').catch((e: unknown) => e)
  t.type(err, BattleNetUnavailableError, 'the other instance does not call')
  t.equal((err as BattleNetUnavailableError).retryAfterS, 2, "the answer's Retry-After is the pause's remainder")
})

t.test('Redis down: each process keeps to its share', async (t) => {
  const at = 1_000_000_000_000 + 10
  const [a] = (await quotas(t, 1, { url: 'redis://127.0.0.1:1/0', now: () => at })) as [BnetQuota]
  await a.take('interactive')
  await a.take('interactive')
  await t.rejects(a.take('interactive'), BattleNetUnavailableError, 'half of the 4 a slot: 2')
})
