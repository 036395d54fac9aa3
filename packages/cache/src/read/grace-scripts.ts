import type { RedisClient } from '../redis/connection.js'

/*
 * The read path's writes with their grace copy. An entry and its stale copy (`cache:stale:{KEY}`, the
 * same Cluster slot through the hash tag) are written by one script, so no reader ever finds a stale copy
 * older than the entry beside it. Kept here, beside the read path, rather than in redis/lua.ts.
 */

/**
 * KEYS: data key, its lease, its stale copy. ARGV: token, JSON, TTL (s), stale copy's TTL (s; 0: none).
 * As lua.ts `commitLease` (stored only while our lease stands), plus the stale copy: written for TTL +
 * grace, or removed when this write has no grace (an older one's copy must not outlive a newer value).
 */
const commitWithGrace = `
if redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
  if tonumber(ARGV[4]) > 0 then
    redis.call('SET', KEYS[3], ARGV[2], 'EX', ARGV[4])
  else
    redis.call('UNLINK', KEYS[3])
  end
  redis.call('DEL', KEYS[2])
  return 1
end
return 0
`

/**
 * KEYS: data key, its lease, its stale copy. ARGV: JSON, TTL (s). `set` without a token, as lua.ts
 * `writeOverLease`, and the stale copy of an older value goes in the same step: after `set`, no failing
 * loader may be answered with what came before it.
 */
const writeOverWithGrace = `
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
redis.call('DEL', KEYS[2])
redis.call('UNLINK', KEYS[3])
return 1
`

export const graceScripts = {
  graceCommit: { numberOfKeys: 3, lua: commitWithGrace },
  graceWriteOver: { numberOfKeys: 3, lua: writeOverWithGrace },
} as const

export interface GraceScriptCommands {
  graceCommit(key: string, lease: string, stale: string, token: string, json: string, ttlSeconds: number, staleTtlSeconds: number): Promise<number>
  graceWriteOver(key: string, lease: string, stale: string, json: string, ttlSeconds: number): Promise<number>
}

export function defineGraceScripts(client: RedisClient): void {
  for (const [name, definition] of Object.entries(graceScripts)) client.defineCommand(name, definition)
}

export function graceScripted(client: RedisClient): RedisClient & GraceScriptCommands {
  return client as RedisClient & GraceScriptCommands
}
