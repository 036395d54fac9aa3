import { PermissionInputError } from './errors.js'

/** The contract's tool name pattern; permission-service answers 400 to anything else. */
export const TOOL_PATTERN = /^[a-z][a-z0-9-]{0,31}$/

export interface CheckItem {
  guildId: number
  bnetId: number
  tool: string
}

/** Ids are positive integers below 2^53 (contract). */
export function isValidId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0
}

export function isValidTool(value: unknown): value is string {
  return typeof value === 'string' && TOOL_PATTERN.test(value)
}

/** Parses a path parameter such as `guild_id` ("9001" or, after schema coercion, 9001). */
export function parseId(value: unknown): number | undefined {
  if (typeof value === 'number') return isValidId(value) ? value : undefined
  if (typeof value !== 'string' || !/^[1-9][0-9]{0,15}$/.test(value)) return undefined
  const n = Number(value)
  return isValidId(n) ? n : undefined
}

/** Throws before anything is sent, so a bad input is a 400 and never counts against the breaker. */
export function assertValidItem(item: CheckItem, where = 'check'): void {
  if (item === null || typeof item !== 'object') {
    throw new PermissionInputError(`${where}: expected {guildId, bnetId, tool}, got ${String(item)}`)
  }
  if (!isValidId(item.guildId)) {
    throw new PermissionInputError(`${where}: guildId must be a positive integer below 2^53, got ${String(item.guildId)}`)
  }
  if (!isValidId(item.bnetId)) {
    throw new PermissionInputError(`${where}: bnetId must be a positive integer below 2^53, got ${String(item.bnetId)}`)
  }
  if (!isValidTool(item.tool)) {
    throw new PermissionInputError(
      `${where}: tool must match ${TOOL_PATTERN.source}, got ${JSON.stringify(item.tool)}`,
    )
  }
}
