export {
  configFormats,
  ConfigError,
  configSchema,
  describeConfigErrors,
  DEV_SERVICE_TOKEN,
  envFragments,
  exposureReason,
  isConfigError,
  isLoopbackHost,
  LOG_LEVELS,
  parseClusterNodes,
  portFragment,
  registerConfig,
  resolveServiceToken,
  type ConfigSchema,
  type ConfigSchemaOptions,
  type ExposureSettings,
  type LogLevelName,
  type NodeEnv,
  type RegisterConfigOptions,
  type SchemaFragment,
  type SharedConfig,
  type WarnLogger,
} from './config.js'
export {
  loggerOptions,
  PERSONAL_QUERY_PARAMS,
  REDACT_PATHS,
  REDACTED,
  redactUrl,
  SECRET_QUERY_PARAMS,
  serializeRequest,
  type LoggerOptions,
} from './logging.js'
export {
  errorBody,
  errorHandlerPlugin,
  GENERIC_SERVER_ERROR_MESSAGE,
  HttpError,
  httpError,
  toErrorBody,
  type ErrorBody,
  type HttpErrorOptions,
} from './errors.js'
export { healthPlugin, type HealthPluginOptions, type ReadinessBody, type RedisHealth } from './health.js'
export { assertMergeable, metricsPlugin, UNMATCHED_ROUTE, type MetricsPluginOptions } from './metrics.js'
export { BEARER_SCHEME, COOKIE_SCHEME, openApiPlugin, type OpenApiPluginOptions } from './openapi.js'
export { routeCatalogPlugin, type CatalogRoute } from './route-catalog.js'
export { runServer, type RunServerOptions } from './run-server.js'
export { safeEqual, secretVerifier } from './secrets.js'
export { lazyChildLoggers } from './lazy-child-logger.js'
export { RequestLogController } from './request-log-controller.js'
