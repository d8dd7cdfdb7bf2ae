import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { applyMigrations } from "./apply-migrations.js";
import { databaseNameOf } from "./database-name-of.js";
import { databaseUrl } from "./database-url.js";
import { ensureDatabase } from "./ensure-database.js";
import { fetchArrayTypesOnce } from "./fetch-array-types-once.js";
import { guardTransactions } from "./guard-transactions.js";
import { ignoreNotice } from "./ignore-notice.js";

/** Migrations are all-or-nothing: a folder without its per-service table is a configuration error. */
type MigrationOptions =
  | {
      /** Folder written by `drizzle-kit generate`; applied at open. Default: none, nothing is migrated. */
      migrationsFolder: string;
      /** The service's own migrations table, e.g. `__migrations_ledger` (see applyMigrations). */
      migrationsTable: string;
    }
  | { migrationsFolder?: undefined; migrationsTable?: undefined };

/** Options for {@link openDatabase}. */
export type OpenDatabaseOptions<TSchema extends Record<string, unknown>> = MigrationOptions & {
  /** Connection URL of the service's own database, e.g. `postgres://postgres@127.0.0.1:5432/paymesh_ledger`. */
  url: string;
  /** The service's drizzle schema (its `src/schema.ts` namespace), for typed and relational queries. */
  schema: TSchema;
  /**
   * Create the database first when it is missing, connecting through the server's `postgres`
   * maintenance database. Default false: production databases are provisioned, not conjured by
   * a typo in a URL; development startup turns it on.
   */
  ensure?: boolean;
  /**
   * Pool size. Default 10: a service instance's request concurrency is bounded by its event loop,
   * and ten connections keep two cores busy without several instances together exhausting the
   * server's default max_connections (100). `sql.listen` uses one further dedicated connection.
   */
  max?: number;
  /**
   * Seconds an idle pooled connection is kept. Default 30: frees server slots after a burst
   * without reconnecting on every quiet moment.
   */
  idleTimeoutSeconds?: number;
  /**
   * Seconds to wait for a new connection. Default 10: fails startup (and requests) clearly when
   * the server is unreachable instead of hanging.
   */
  connectTimeoutSeconds?: number;
  /**
   * Longest pause, in seconds, before a connection tries the server again after failing to
   * reach it. Default 1: postgres.js's own pause grows to 10-20 s within seconds of an outage, so
   * calls meanwhile waited that long to be refused, and a database back from a restart went
   * unused as long (measured in the ledger's restart drill); a refused attempt costs the
   * server nothing, and attempts are only made for queries that are waiting.
   */
  maxReconnectDelaySeconds?: number;
  /** `application_name` shown in pg_stat_activity. Default: postgres.js's own ("postgres.js"). */
  applicationName?: string;
};

/** An open service database: the raw postgres.js client, drizzle over it, and a way to close both. */
export interface Database<TSchema extends Record<string, unknown>> {
  /**
   * postgres.js client, for LISTEN/NOTIFY and the rare statement drizzle cannot express. Drizzle
   * installs its own date/time parsing on it, so raw queries get timestamps back as strings.
   */
  sql: postgres.Sql;
  /** Drizzle over `sql` with the service's schema. */
  db: PostgresJsDatabase<TSchema>;
  /** Ends the pool, waiting up to 5 s for running queries. */
  close(): Promise<void>;
}

/**
 * Opens a service's database: optionally creates it, applies its migrations (serialised across
 * instances), then returns a pooled postgres.js client with drizzle on top. The client's
 * transactions are guarded (guardTransactions) and only its first connection fetches the array
 * types (fetchArrayTypesOnce), so a database restart fails the work in flight instead of
 * crashing the process.
 */
export async function openDatabase<TSchema extends Record<string, unknown>>(
  options: OpenDatabaseOptions<TSchema>,
): Promise<Database<TSchema>> {
  const { url, schema } = options;
  if (options.ensure) {
    const name = databaseNameOf(url);
    if (name === undefined) throw new Error("openDatabase: ensure needs a URL that names a database");
    await ensureDatabase(databaseUrl(url, "postgres"), name);
  }
  if (options.migrationsFolder !== undefined) {
    await applyMigrations({
      url,
      migrationsFolder: options.migrationsFolder,
      migrationsTable: options.migrationsTable,
    });
  }
  const maxReconnectDelaySeconds = options.maxReconnectDelaySeconds ?? 1;
  const sql = guardTransactions(
    postgres(url, {
      max: options.max ?? 10,
      idle_timeout: options.idleTimeoutSeconds ?? 30,
      connect_timeout: options.connectTimeoutSeconds ?? 10,
      // Doubling from 50 ms, with jitter so a pool's connections do not all knock at once.
      backoff: (attempts: number) => Math.min(0.05 * 2 ** attempts, maxReconnectDelaySeconds) * (0.5 + Math.random() / 2),
      onnotice: ignoreNotice,
      ...(options.applicationName === undefined ? {} : { connection: { application_name: options.applicationName } }),
    }),
  );
  await fetchArrayTypesOnce(sql).catch(async (error: unknown) => {
    await sql.end({ timeout: 0 });
    throw error;
  });
  const db = drizzle(sql, { schema });
  return { sql, db, close: () => sql.end({ timeout: 5 }) };
}
