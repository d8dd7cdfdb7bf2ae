import { randomBytes } from "node:crypto";
import { databaseUrl, ensureDatabase } from "@paymesh/db";
import postgres from "postgres";

/** A throwaway database for one test file. */
export interface TestDatabase {
  /** Connection URL of the new database. */
  url: string;
  /** Its name, `test_` + 12 random hex characters. */
  name: string;
  /** Terminates every connection still open to it (a forgotten pool must not keep it alive), then drops it. */
  drop(): Promise<void>;
}

/**
 * Creates a uniquely named database on the local server (`POSTGRES_URL`, default
 * `postgres://postgres@127.0.0.1:5432/postgres`, must point at a database the role can connect
 * to), so test files running in parallel never see each other's rows.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const name = `test_${randomBytes(6).toString("hex")}`;
  await ensureDatabase(serverUrl, name);
  return {
    url: databaseUrl(serverUrl, name),
    name,
    async drop() {
      // Dropping twice is harmless; its NOTICE would only clutter the test output.
      const sql = postgres(serverUrl, { max: 1, onnotice: () => {} });
      try {
        // WITH (FORCE) terminates the remaining sessions and drops in one step, so no new
        // connection can slip in between.
        await sql`drop database if exists ${sql(name)} with (force)`;
      } finally {
        await sql.end();
      }
    },
  };
}
