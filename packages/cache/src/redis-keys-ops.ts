import { Cluster, type Redis } from 'ioredis'
import calculateSlot from 'cluster-key-slot'
import type { RedisClient } from './connection.js'
import type { ScriptCommands } from './lua.js'

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

/**
 * As unlinkKeys, but resolves to the keys that existed. One script per batch on a single Redis
 * (lua.ts `unlinkExisting`); on a Cluster, where ioredis cannot route a script whose key count is only
 * known at call time, one UNLINK per key (auto-pipelined per node).
 */
export async function unlinkReturningExisting(client: RedisClient & ScriptCommands, keys: readonly string[]): Promise<string[]> {
  if (keys.length === 0) return []
  if (client instanceof Cluster) {
    const counts = await Promise.all(keys.map((key) => client.unlink(key)))
    return keys.filter((_, i) => counts[i] === 1)
  }
  const calls: Promise<string[]>[] = []
  for (let i = 0; i < keys.length; i += BATCH) {
    const part = keys.slice(i, i + BATCH)
    calls.push(client.unlinkExisting(part.length, ...part))
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
