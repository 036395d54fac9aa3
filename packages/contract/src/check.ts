/** One permission question: may Battle.net user `bnetId` use `tool` in guild `guildId`? */
export interface CheckItem {
  guildId: number
  bnetId: number
  tool: string
}

/** `POST /v1/check/batch` takes 1 to this many checks (contract). */
export const BATCH_LIMIT = 100
