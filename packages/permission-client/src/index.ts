export {
  BATCH_LIMIT,
  createPermissionClient,
  type PermissionClient,
  type PermissionClientOptions,
  type PermissionClientStats,
  type PermissionResultEvent,
} from './client.js'
export {
  PermissionDeniedError,
  PermissionError,
  PermissionInputError,
  PermissionUndecidedError,
  isPermissionDenied,
  isPermissionUndecided,
  type UndecidedReason,
} from './errors.js'
export { CircuitBreaker, CircuitOpenError, type BreakerState, type CircuitBreakerOptions } from '@guild/resilience'
export { permissionClientPlugin, type GetUser, type PermissionPluginOptions } from './plugin.js'
export type { PermissionLogger } from './service-request.js'
export { TOOL_PATTERN, isValidId, isValidTool, parseId, type CheckItem } from './validate.js'
