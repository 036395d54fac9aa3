export {
  createDb,
  poolMaxFromEnv,
  DEFAULT_CONNECT_TIMEOUT_S,
  DEFAULT_IDLE_TIMEOUT_S,
  DEFAULT_POOL_MAX,
  DEFAULT_STATEMENT_TIMEOUT_MS,
  type CreateDbOptions,
  type Database,
  type DbHandle,
  type DbStats,
  type PermissionQueryEvent,
  type Schema,
} from './client.js'
export { migrate, MIGRATION_LOCK_KEY, DEFAULT_MIGRATION_TIMEOUT_MS, type MigrateOptions } from './migrate.js'
export { waitForSchema, type WaitForSchemaOptions } from './wait-for-schema.js'
export { checkPermission, checkPermissions, type PermissionCheck } from './permissions.js'
export { MIGRATIONS_FOLDER } from './migrations-folder.js'
export {
  DatabaseConfigError,
  InvalidPermissionCheckError,
  MigrationError,
  PermissionQueryError,
  SchemaNotReadyError,
} from './errors.js'
export {
  isUniqueViolation,
  postgresErrorOf,
  PG_CHECK_VIOLATION,
  PG_FOREIGN_KEY_VIOLATION,
  PG_UNIQUE_VIOLATION,
} from './pg-errors.js'
export * from './schema/index.js'
// npm keeps drizzle-orm nested under this package, and a second copy in a service would make its
// SQL and column types incompatible with these tables: repositories take the operators from here.
export {
  and,
  asc,
  count,
  desc,
  eq,
  gt,
  gte,
  inArray,
  isNotNull,
  isNull,
  lt,
  lte,
  ne,
  not,
  notInArray,
  or,
  sql,
  type SQL,
} from 'drizzle-orm'
