import { pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";

/**
 * Which events each consumer has applied. The consumer runner inserts a row in the same
 * transaction as the handler's effect, so an event delivered again (redelivery, a republished
 * duplicate) finds its row and is skipped: each event's effect happens exactly once.
 */
export const processedEvents = pgTable(
  "processed_events",
  {
    /** The durable consumer's name; one database may host several projections. */
    consumer: text("consumer").notNull(),
    eventId: uuid("event_id").notNull(),
    processedAt: timestamp("processed_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.consumer, table.eventId] })],
);
