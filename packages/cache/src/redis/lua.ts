import type { RedisClient } from './connection.js'

/*
 * The write guard's Lua, beside the code that relies on it. Each script touches keys of one Redis
 * Cluster slot only: a data key and its lease share a slot through the lease's hash tag, and an index
 * script touches just its index.
 */

/**
 * KEYS: data key, its lease. ARGV: token, lease TTL (ms), mode.
 * mode `miss`: the value if someone stored it meanwhile ({1, value}); else take the lease ({2}) unless
 * another process holds it ({3}). mode `refresh` (early refresh of a present key): take the lease or not.
 */
const acquireLease = `
if ARGV[3] == 'miss' then
  local v = redis.call('GET', KEYS[1])
  if v then return {1, v} end
end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {2} end
return {3}
`

/**
 * KEYS: data key, its lease, its stale copy. ARGV: token, JSON, TTL (s), the stale copy's TTL (s; 0: none).
 * Stores only while our lease is still there: an invalidation that ran since the lease was taken deleted
 * it, and the value we computed from data read before that invalidation must not land (guarantee 4).
 * The stale copy (grace) is written in the same step, for TTL + grace, or removed when this write has no
 * grace: an older value's copy must not outlive a newer value.
 */
const commitLease = `
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
 * KEYS: data key, its lease, its stale copy. ARGV: JSON, TTL (s). `set` without a token: the value lands
 * and any lease on the key goes in the same step, so a reader that loaded from data older than this write
 * cannot store over it afterwards (its commit finds no lease), and no token taken before it can either.
 * The stale copy of an older value goes too: no failing loader is answered with what came before `set`.
 */
const writeOverLease = `
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
redis.call('DEL', KEYS[2])
redis.call('UNLINK', KEYS[3])
return 1
`

/**
 * KEYS: a lease. ARGV: token, lease TTL (ms). `token()`: the key's lease, taken now if nobody holds it, or
 * the one already there (a reader loading it): a guarded `set` under that token lands only while the
 * lease stands, that is while no invalidation and no other write of the key came in between.
 */
const writeToken = `
local held = redis.call('GET', KEYS[1])
if held then return held end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ARGV[1]
`

/**
 * KEYS: data key, its lease. A waiter's poll: {1, value} once the holder stored it, else {0, lease
 * exists}. One step, so a commit (value set, lease deleted, atomically) is seen whole: two commands could
 * read "no value" before it and "no lease" after it, and give up on a holder that had just delivered
 * (ioredis sends a GET at once and pipelines the EXISTS beside it, after it).
 */
const peekLease = `
local v = redis.call('GET', KEYS[1])
if v then return {1, v} end
return {0, redis.call('EXISTS', KEYS[2])}
`

/** KEYS: a lease. ARGV: token. Gives a lease back (the loader failed) without touching anyone else's. */
const releaseLease = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`

/**
 * KEYS: an index. ARGV: how long the members may have a live value or lease (ms), the cap on the index's
 * TTL (ms), then the member keys. Scores are Redis' own clock (no skew between processes): the time after
 * which a member can hold nothing. Expired members are pruned here, so an index holds what was written
 * within its entries' TTL and invalidation cost follows that, not the keyspace.
 *
 * The index also records when it was born: `{born}`, scored minus that time (meta members have negative
 * scores, which the pruning range leaves alone, and braces, which no entry's key has). Every entry
 * registered since then is in it; an entry registered before may have been listed by an incarnation that
 * LRU evicted (index-trust.ts). Added NX on every call, so an index made before this marker gets it too,
 * dated later than its real birth, which only errs towards scanning.
 */
const registerIndex = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local life = tonumber(ARGV[1])
local score = string.format('%d', now + life)
local args = {}
for i = 3, #ARGV do
  args[#args + 1] = score
  args[#args + 1] = ARGV[i]
end
redis.call('ZADD', KEYS[1], 'GT', unpack(args))
redis.call('ZADD', KEYS[1], 'NX', string.format('%d', -now), '{born}')
redis.call('ZREMRANGEBYSCORE', KEYS[1], '0', '(' .. string.format('%d', now))
local want = math.min(life, tonumber(ARGV[2]))
if redis.call('PTTL', KEYS[1]) < want then redis.call('PEXPIRE', KEYS[1], want) end
return 1
`

/**
 * KEYS: an index. Its meta members and Redis' clock, in one step: {born score, swept score, now (ms)}
 * (scores as stored, negative; false where absent). See index-trust.ts.
 */
const indexMeta = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return {redis.call('ZSCORE', KEYS[1], '{born}'), redis.call('ZSCORE', KEYS[1], '{swept}'), string.format('%d', now)}
`

/**
 * KEYS: an index. ARGV: the `{born}` score read before a sweep, the sweep's start (ms). Records that a
 * scan starting then removed everything of the scope, but only on the incarnation that was there
 * before it began: an index evicted and reborn meanwhile keeps no such claim.
 */
const markSwept = `
if redis.call('ZSCORE', KEYS[1], '{born}') ~= ARGV[1] then return 0 end
redis.call('ZADD', KEYS[1], string.format('%d', -tonumber(ARGV[2])), '{swept}')
return 1
`

/**
 * KEYS: entries with their leases and stale copies, in threes (entry, `cache:lease:{entry}`,
 * `cache:stale:{entry}`; a three shares a Cluster slot through the hash tags). UNLINKs all three in one
 * command, so no guarded write can land between the entry going and its lease going, and no stale copy
 * outlives its entry's removal; returns the entries that existed (an invalidation says which it removed).
 */
const unlinkEntries = `
local out = {}
for i = 1, #KEYS, 3 do
  if redis.call('UNLINK', KEYS[i]) == 1 then out[#out + 1] = KEYS[i] end
  redis.call('UNLINK', KEYS[i + 1], KEYS[i + 2])
end
return out
`

/**
 * KEYS: an index. ARGV: ZSCAN cursor, page size, how many removed names to return at most. One page of
 * an invalidation done inside Redis: the page's entries, their leases and stale copies UNLINKed where they are, so
 * the names never travel to the client and back (a guild of 10,000 entries is 10 calls, each blocking
 * Redis about as long as a 1,000-key UNLINK). Returns {next cursor, how many existed, names of those,
 * the index's `{born}` score (index-trust.ts)}. Meta members (in braces) are skipped.
 * It reaches keys its caller did not declare, which a Cluster forbids: used on a single Redis only.
 */
const unlinkIndexPage = `
local page = redis.call('ZSCAN', KEYS[1], ARGV[1], 'COUNT', ARGV[2])
local members = page[2]
local existed = 0
local names = {}
local want = tonumber(ARGV[3])
for i = 1, #members, 2 do
  local key = members[i]
  if string.sub(key, 1, 1) ~= '{' then
    if redis.call('UNLINK', key) == 1 then
      existed = existed + 1
      if #names < want then names[#names + 1] = key end
    end
    redis.call('UNLINK', 'cache:lease:{' .. key .. '}', 'cache:stale:{' .. key .. '}')
  end
end
return {page[1], existed, names, redis.call('ZSCORE', KEYS[1], '{born}')}
`

export const scripts = {
  guardAcquire: { numberOfKeys: 2, lua: acquireLease },
  guardCommit: { numberOfKeys: 3, lua: commitLease },
  guardRelease: { numberOfKeys: 1, lua: releaseLease },
  guardWriteOver: { numberOfKeys: 3, lua: writeOverLease },
  guardToken: { numberOfKeys: 1, lua: writeToken },
  guardPeek: { numberOfKeys: 2, lua: peekLease },
  indexRegister: { numberOfKeys: 1, lua: registerIndex },
  indexMeta: { numberOfKeys: 1, lua: indexMeta },
  indexMarkSwept: { numberOfKeys: 1, lua: markSwept },
  unlinkEntries: { lua: unlinkEntries },
  unlinkEntry: { numberOfKeys: 3, lua: unlinkEntries },
  unlinkIndexPage: { numberOfKeys: 1, lua: unlinkIndexPage },
} as const

export interface ScriptCommands {
  guardAcquire(
    key: string,
    lease: string,
    token: string,
    leaseTtlMs: number,
    mode: 'miss' | 'refresh',
  ): Promise<[number, string?]>
  guardCommit(
    key: string,
    lease: string,
    stale: string,
    token: string,
    json: string,
    ttlSeconds: number,
    staleTtlSeconds: number,
  ): Promise<number>
  guardRelease(lease: string, token: string): Promise<number>
  guardWriteOver(key: string, lease: string, stale: string, json: string, ttlSeconds: number): Promise<number>
  guardToken(lease: string, token: string, leaseTtlMs: number): Promise<string>
  guardPeek(key: string, lease: string): Promise<[0, number] | [1, string]>
  indexRegister(index: string, lifeMs: number, maxTtlMs: number, ...members: string[]): Promise<number>
  indexMeta(index: string): Promise<[string | null, string | null, string]>
  indexMarkSwept(index: string, bornScore: string, sweptAtMs: number): Promise<number>
  unlinkEntries(numberOfKeys: number, ...keys: string[]): Promise<string[]>
  /** The same script with its three keys declared, which a Cluster client needs to route it. */
  unlinkEntry(key: string, lease: string, stale: string): Promise<string[]>
  unlinkIndexPage(
    index: string,
    cursor: string,
    count: number,
    namesWanted: number,
  ): Promise<[string, number, string[], string | null]>
}

/** ioredis' defineCommand: EVALSHA with a fallback to EVAL, on a single Redis and on a Cluster alike. */
export function defineScripts(client: RedisClient): RedisClient & ScriptCommands {
  for (const [name, definition] of Object.entries(scripts)) client.defineCommand(name, definition)
  return client as RedisClient & ScriptCommands
}
