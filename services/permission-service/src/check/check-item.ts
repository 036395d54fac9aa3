/** One question: may Battle.net user `bnetId` use `tool` in guild `guildId`? */
export interface CheckItem {
  guildId: number
  bnetId: number
  tool: string
}

/**
 * A layer of the check (OpenFGA's resolver chain): it answers what it can and asks the next layer for
 * the rest. Answers come back in the order of `items`. A layer that cannot establish an answer throws
 * CheckUndecidedError; nothing ever answers a guess.
 */
export interface CheckResolver {
  resolve(items: readonly CheckItem[]): Promise<boolean[]>
}

/** Which layer answered, for the hit counters and metrics. */
export type Layer = 'l1' | 'redis' | 'db'
