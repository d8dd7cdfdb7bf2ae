import type { PostgresJsDatabase } from "drizzle-orm/postgres-js";
import type * as schema from "./schema.js";

/** The handles service's Drizzle database. */
export type HandlesDatabase = PostgresJsDatabase<typeof schema>;

/** A transaction on it. */
export type HandlesTransaction = Parameters<Parameters<HandlesDatabase["transaction"]>[0]>[0];
