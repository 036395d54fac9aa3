import { isValidId, isValidTool, TOOL_PATTERN, type CheckItem } from '@guild/contract'
import { PermissionInputError } from './errors.js'

export { isValidId, isValidTool, parseId, TOOL_PATTERN, type CheckItem } from '@guild/contract'

/** Throws before anything is sent, so a bad input is a 400 and never counts against the breaker. */
export function assertValidItem(item: CheckItem, where = 'check'): void {
  if (item === null || typeof item !== 'object') {
    throw new PermissionInputError(`${where}: expected {guildId, bnetId, tool}, got ${String(item)}`)
  }
  if (!isValidId(item.guildId)) {
    throw new PermissionInputError(
      `${where}: guildId must be a positive integer below 2^53, got ${String(item.guildId)}`,
    )
  }
  if (!isValidId(item.bnetId)) {
    throw new PermissionInputError(`${where}: bnetId must be a positive integer below 2^53, got ${String(item.bnetId)}`)
  }
  if (!isValidTool(item.tool)) {
    throw new PermissionInputError(`${where}: tool must match ${TOOL_PATTERN.source}, got ${JSON.stringify(item.tool)}`)
  }
}
