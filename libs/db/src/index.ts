export { type ApplyMigrationsOptions, applyMigrations } from "./apply-migrations.js";
export { bytea } from "./bytea.js";
export { databaseUrl } from "./database-url.js";
export { ensureDatabase } from "./ensure-database.js";
export { isDatabaseUnavailable } from "./is-database-unavailable.js";
export { type IsPostgresReachableOptions, isPostgresReachable } from "./is-postgres-reachable.js";
export { type Database, type OpenDatabaseOptions, openDatabase } from "./open-database.js";
export { pgErrorCode } from "./pg-error-code.js";
export { type RetryOnConflictOptions, retryOnConflict } from "./retry-on-conflict.js";
