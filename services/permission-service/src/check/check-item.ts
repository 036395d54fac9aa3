import { keys } from '@guild/cache'
import type { CheckItem } from '@guild/contract'

export type { CheckItem }

/**
 * The contract's Redis key of a check, built (and validated) by the cache's own builder: the one way a key is made
 * here.
 */
export function keyOf(item: CheckItem): string {
  return keys.permission(item.guildId, item.bnetId, item.tool)
}

/** The check a `permission:{guild}:{bnet}:{tool}` key names (keys this service built, so well-formed). */
export function itemOf(key: string): CheckItem {
  const [, guild, bnet, tool] = key.split(':')
  return { guildId: Number(guild), bnetId: Number(bnet), tool: tool as string }
}

/**
 * A layer of the check (OpenFGA's resolver chain): it answers what it can and asks the next layer for
 * the rest. Answers come back in the order of `items`. A layer that cannot establish an answer throws
 * CheckUndecidedError; nothing ever answers a guess. Layers are assembled in check-chain.ts alone, and
 * each knows only the next one.
 */
export interface CheckResolver {
  /** `purpose` 'refresh': a background recomputation nobody waits for; it is not counted as answered checks. */
  resolve(items: readonly CheckItem[], purpose?: Purpose): Promise<boolean[]>
  /** An answer this layer holds at hand, synchronously (no promise), or undefined: then ask `resolve`. */
  peek?(item: CheckItem): boolean | undefined
}

export type Purpose = 'answer' | 'refresh'

/** Which layer answered, for the hit counters and metrics. */
export type Layer = 'l1' | 'redis' | 'db'
