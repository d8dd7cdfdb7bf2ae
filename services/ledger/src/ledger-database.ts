import type { PostgresJsDatabase } from "drizzle-orm/postgres-js";
import type * as schema from "./schema.js";

/** The ledger's Drizzle database. */
export type LedgerDatabase = PostgresJsDatabase<typeof schema>;

/** A transaction on it. */
export type LedgerTransaction = Parameters<Parameters<LedgerDatabase["transaction"]>[0]>[0];
