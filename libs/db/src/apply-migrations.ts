import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { guardTransactions } from "./guard-transactions.js";
import { ignoreNotice } from "./ignore-notice.js";

/** Options for {@link applyMigrations}. */
export interface ApplyMigrationsOptions {
  /** Connection URL of the database to migrate. */
  url: string;
  /** Folder written by `drizzle-kit generate` (holds `meta/_journal.json` and the `.sql` files). */
  migrationsFolder: string;
  /**
   * Table (in schema `drizzle`) recording which migrations ran, one per service, e.g.
   * `__migrations_ledger`, so a service's history never mixes with another's even if two
   * services are ever pointed at one database.
   */
  migrationsTable: string;
}

/**
 * Applies pending drizzle-kit migrations with drizzle's migrator. Drizzle's migrator does not
 * serialise concurrent runs (two instances starting together would both try the same DDL), so
 * this holds a session-level advisory lock keyed by the migrations table on a dedicated
 * single-connection client for the whole run; the second instance waits, then finds nothing
 * left to apply.
 */
export async function applyMigrations({ url, migrationsFolder, migrationsTable }: ApplyMigrationsOptions): Promise<void> {
  // max: 1 makes the migrator's transaction run on the very session that holds the lock.
  // Guarded like every service client: the migrator runs in a transaction.
  const sql = guardTransactions(postgres(url, { max: 1, onnotice: ignoreNotice }));
  try {
    await sql`select pg_advisory_lock(hashtext(${migrationsTable}))`;
    await migrate(drizzle(sql), { migrationsFolder, migrationsTable });
  } finally {
    // Ending the session releases the advisory lock too.
    await sql.end();
  }
}
