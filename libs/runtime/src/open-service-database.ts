import { type Database, databaseUrl, openDatabase } from "@paymesh/db";
import type { Env, ServiceConfig } from "./load-config.js";
import { loadServiceConfig } from "./load-service-config.js";
import type { ServiceDefinition } from "./start-service.js";

export interface OpenServiceDatabaseOptions {
  /** Where the settings are read from. Default `process.env`, as the service reads them. */
  env?: Env;
  /** Settings already read with loadServiceConfig (startService has them before the database). Default: read from `env`. */
  config?: ServiceConfig;
  /**
   * Create the database when it is missing. Default false: an operator command pointed at a
   * mistyped DATABASE_NAME must fail, not work on a new empty database (a reconcile would find
   * "no drift"). startService turns it on, so a first start in development needs no setup.
   */
  create?: boolean;
  /**
   * `application_name` in pg_stat_activity. Default the service's name; a command names itself
   * (e.g. `ledger-reconcile`) so an operator can tell its sessions from the service's.
   */
  applicationName?: string;
  /** Pool size. Default 10 (openDatabase's), a service's; a command doing one thing at a time needs 2. */
  max?: number;
}

export interface ServiceDatabase<TSchema extends Record<string, unknown>> {
  /** The shared settings, read exactly as the service reads them. */
  readonly config: ServiceConfig;
  readonly database: Database<TSchema>;
}

/**
 * A service's database as the service itself opens it: the same settings (POSTGRES_URL,
 * DATABASE_NAME), its schema, and its migrations from its own folder under its own
 * `__migrations_<service>` table, applied first, so code never runs against a schema older
 * than it expects. startService opens its database with this, and operator commands do too.
 */
export async function openServiceDatabase<TSchema extends Record<string, unknown>>(
  definition: ServiceDefinition<TSchema>,
  options: OpenServiceDatabaseOptions = {},
): Promise<ServiceDatabase<TSchema>> {
  const config = options.config ?? loadServiceConfig(definition, options.env);
  const database = await openDatabase({
    url: databaseUrl(config.postgresUrl, config.databaseName),
    schema: definition.schema,
    migrationsFolder: definition.migrationsFolder,
    migrationsTable: `__migrations_${config.service}`,
    ensure: options.create ?? false,
    applicationName: options.applicationName ?? config.service,
    max: options.max,
  });
  return { config, database };
}
