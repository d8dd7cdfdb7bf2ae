import postgres from "postgres";
import { assertDatabaseName } from "./assert-database-name.js";
import { ignoreNotice } from "./ignore-notice.js";

/** SQLSTATEs Postgres raises when a concurrent CREATE DATABASE of the same name won the race. */
const ALREADY_CREATED = new Set(["42P04", "23505"]);

/**
 * Creates database `name` on the server at `serverUrl` (a URL of any database the role may
 * connect to, usually `postgres`) unless it exists. Several processes may call it at once: the
 * loser of a creation race sees duplicate_database (42P04) or a unique violation on pg_database
 * (23505), both of which mean the database is there, so they count as success.
 *
 * @returns true when this call created the database.
 */
export async function ensureDatabase(serverUrl: string, name: string): Promise<boolean> {
  assertDatabaseName(name);
  const sql = postgres(serverUrl, { max: 1, onnotice: ignoreNotice });
  try {
    const existing = await sql`select 1 from pg_database where datname = ${name}`;
    if (existing.length > 0) return false;
    await sql`create database ${sql(name)}`;
    return true;
  } catch (error) {
    if (error instanceof postgres.PostgresError && ALREADY_CREATED.has(error.code)) return false;
    throw error;
  } finally {
    await sql.end();
  }
}
