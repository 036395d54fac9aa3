export { BATCH_LIMIT, type CheckItem } from './check.js'
export { ID_PATTERN, ID_RULE, isValidId, parseId } from './ids.js'
export {
  GUARDED_TOOLS,
  MAX_RANK,
  MIN_RANK,
  TOOL_PATTERN,
  defaultToolPermissions,
  isValidRank,
  isValidTool,
  rankMayUse,
} from './tools.js'
