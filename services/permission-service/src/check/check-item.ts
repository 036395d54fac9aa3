import type { CheckItem } from '@guild/contract'

export type { CheckItem }

/** The check a `permission:{guild}:{bnet}:{tool}` key names (keys this service built, so well-formed). */
export function itemOf(key: string): CheckItem {
  const [, guild, bnet, tool] = key.split(':')
  return { guildId: Number(guild), bnetId: Number(bnet), tool: tool as string }
}

/**
 * A layer of the check (OpenFGA's resolver chain): it answers what it can and asks the next layer for
 * the rest. Answers come back in the order of `items`. A layer that cannot establish an answer throws
 * CheckUndecidedError; nothing ever answers a guess.
 */
export interface CheckResolver {
  /** `purpose` 'refresh': a background recomputation nobody waits for; it is not counted as answered checks. */
  resolve(items: readonly CheckItem[], purpose?: Purpose): Promise<boolean[]>
}

export type Purpose = 'answer' | 'refresh'

/** Which layer answered, for the hit counters and metrics. */
export type Layer = 'l1' | 'redis' | 'db'
