// @ts-check
/**
 * CONTRACT.md "Redis keys": exactly these names, and every key the project writes has a TTL of at most
 * 86,400 s. After a fuzz run the test SCANs its Redis database and holds every key to this.
 */

/** A positive integer below 2^53, as the keys spell it. */
const ID = '[1-9][0-9]{0,15}'
const TOOL = '[a-z][a-z0-9-]{0,31}'

export const KEY_PATTERNS = [
  new RegExp(`^permission:(${ID}):(${ID}):${TOOL}$`),
  new RegExp(`^guild:(${ID}):(?:members|settings)$`),
  new RegExp(`^user:profile:(${ID})$`),
  /^user:session:[0-9a-f]{64}$/,
  /^cache:/,
]

export const MAX_TTL_S = 86_400

// BullMQ's fixed key names under the queue, and the keys it names after a job or a guild.
const BULLMQ_FIXED = /meta|id|events|repeat|delayed|wait|paused|active|prioritized|completed|failed|marker|pc|stalled/
const BULLMQ_PER_JOB = /[1-9][0-9]*|de:guild-[1-9][0-9]*|repeat:roster-sync-sweep(?::[0-9]+)?/

/**
 * BullMQ's own structures for guild-api's scheduled roster sync, which carry no TTL by BullMQ's design
 * (guild-api's README, "Scheduled roster sync"): the queue's fixed keys, the hashes of jobs waiting,
 * running or recently failed, and a guild's deduplication mark while its job is queued, each bounded by
 * the number of guilds and the retention guild-api sets. Every other key BullMQ
 * writes there (locks, dedup, limiter) has a TTL and is held to the rule.
 */
export const BULLMQ_STRUCTURES = new RegExp(
  /^cache:(?:bull|\{bull\}):roster-sync:/.source + `(?:${BULLMQ_FIXED.source}|${BULLMQ_PER_JOB.source})$`,
)

/** Why a key breaks the contract, or undefined when it keeps it. `ttlMs` as PTTL answers (-1: none, -2: gone). */
export function keyViolation(key, ttlMs) {
  const match = KEY_PATTERNS.map((pattern) => pattern.exec(key)).find((m) => m !== null)
  if (match === undefined) return 'not one of the contract key names'
  for (const id of match.slice(1)) if (!Number.isSafeInteger(Number(id))) return `id ${id} is not below 2^53`
  if (ttlMs === -1) return BULLMQ_STRUCTURES.test(key) ? undefined : 'no TTL'
  if (ttlMs > MAX_TTL_S * 1000) return `TTL ${Math.ceil(ttlMs / 1000)} s is over ${MAX_TTL_S} s`
  return undefined
}

/**
 * Every key of the client's database that breaks the contract: `[{ key, ttlMs, reason }]`. SCAN (never
 * KEYS), then PTTL in one pipeline per batch; a key gone meanwhile is no violation.
 */
export async function scanKeyViolations(redis) {
  const violations = []
  let cursor = '0'
  do {
    const [next, batch] = await redis.scan(cursor, 'COUNT', 1000)
    cursor = next
    if (batch.length === 0) continue
    const pipeline = redis.pipeline()
    for (const key of batch) pipeline.pttl(key)
    const ttls = (await pipeline.exec()) ?? []
    batch.forEach((key, i) => {
      const ttlMs = Number(ttls[i]?.[1])
      if (ttlMs === -2) return
      const reason = keyViolation(key, ttlMs)
      if (reason !== undefined) violations.push({ key, ttlMs, reason })
    })
  } while (cursor !== '0')
  return violations
}
