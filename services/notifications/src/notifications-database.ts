import type { PostgresJsDatabase } from "drizzle-orm/postgres-js";
import type * as schema from "./schema.js";

/** The notifications service's Drizzle database. */
export type NotificationsDatabase = PostgresJsDatabase<typeof schema>;

/** A transaction on it. */
export type NotificationsTransaction = Parameters<Parameters<NotificationsDatabase["transaction"]>[0]>[0];

/** A notification as stored. */
export type NotificationRow = typeof schema.notifications.$inferSelect;
