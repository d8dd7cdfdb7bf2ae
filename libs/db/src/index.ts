export { databaseUrl } from "./database-url.js";
export { ensureDatabase } from "./ensure-database.js";
export { applyMigrations, type ApplyMigrationsOptions } from "./apply-migrations.js";
export { openDatabase, type OpenDatabaseOptions, type Database } from "./open-database.js";
export { isPostgresReachable, type IsPostgresReachableOptions } from "./is-postgres-reachable.js";
export { pgErrorCode } from "./pg-error-code.js";
