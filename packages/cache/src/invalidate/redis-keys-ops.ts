import { Cluster, type Redis } from 'ioredis'
import calculateSlot from 'cluster-key-slot'
import type { RedisClient } from '../redis/connection.js'
import { internalKeys } from '../keys/keys.js'
import type { ScriptCommands } from '../redis/lua.js'

/** Keys per UNLINK / per SCAN step: big enough to be cheap, small enough never to block Redis for long. */
export const BATCH = 500

/**
 * UNLINK (frees memory off the main thread) in batches. On a Cluster a multi-key command must stay in
 * one slot, so keys are grouped by slot first. Resolves to how many of `keys` existed.
 */
export async function unlinkKeys(client: RedisClient, keys: readonly string[]): Promise<number> {
  if (keys.length === 0) return 0
  const groups = client instanceof Cluster ? groupBySlot(keys) : [keys]
  const calls: Promise<number>[] = []
  for (const group of groups) {
    for (let i = 0; i < group.length; i += BATCH) calls.push(client.unlink(...group.slice(i, i + BATCH)))
  }
  return (await Promise.all(calls)).reduce((a, b) => a + b, 0)
}

/** Entries per `unlinkEntries` call (each with its lease and stale copy: three times as many keys). */
const ENTRIES_PER_CALL = 250

/**
 * UNLINKs entries each with its lease and its stale copy in the same command (lua.ts `unlinkEntries`),
 * so a guarded write never lands between the two and no stale copy is left behind; resolves to the
 * entries that existed. On a single Redis, one script call per 250 entries; on a Cluster, where a command
 * must stay in one slot, one per entry (the three share a slot through the hash tags), auto-pipelined per node.
 */
export async function unlinkWithLeases(
  client: RedisClient & ScriptCommands,
  keys: readonly string[],
): Promise<string[]> {
  if (keys.length === 0) return []
  if (client instanceof Cluster) {
    return (
      await Promise.all(keys.map((key) => client.unlinkEntry(key, internalKeys.lease(key), internalKeys.stale(key))))
    ).flat()
  }
  const calls: Promise<string[]>[] = []
  for (let i = 0; i < keys.length; i += ENTRIES_PER_CALL) {
    const triples = keys
      .slice(i, i + ENTRIES_PER_CALL)
      .flatMap((key) => [key, internalKeys.lease(key), internalKeys.stale(key)])
    calls.push(client.unlinkEntries(triples.length, ...triples))
  }
  return (await Promise.all(calls)).flat()
}

function groupBySlot(keys: readonly string[]): string[][] {
  const bySlot = new Map<number, string[]>()
  for (const key of keys) {
    const slot = calculateSlot(key)
    const group = bySlot.get(slot)
    if (group) group.push(key)
    else bySlot.set(slot, [key])
  }
  return [...bySlot.values()]
}

/** The nodes a SCAN must visit: every master of a Cluster, or the one Redis. */
export function mastersOf(client: RedisClient): Redis[] {
  return client instanceof Cluster ? client.nodes('master') : [client]
}
