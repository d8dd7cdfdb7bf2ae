import type { PostgresJsDatabase } from "drizzle-orm/postgres-js";
import type * as schema from "./schema.js";

/** The transfers service's Drizzle database. */
export type TransfersDatabase = PostgresJsDatabase<typeof schema>;

/** A transaction on it. */
export type TransfersTransaction = Parameters<Parameters<TransfersDatabase["transaction"]>[0]>[0];

/** A transfer as stored. */
export type TransferRow = typeof schema.transfers.$inferSelect;

/** A history row as stored. */
export type HistoryRow = typeof schema.transferHistory.$inferSelect;
