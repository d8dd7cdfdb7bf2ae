import { integer, pgTable, text } from "drizzle-orm/pg-core";

// Re-exported exactly as a service's src/schema.ts does, so drizzle-kit generates the event
// tables into this fixture's migrations the same way it will into a service's.
export { outbox, parkedEvents, processedEvents } from "@paymesh/events";

/** A read table for projection tests: how many times each key's events were applied. */
export const tallies = pgTable("tallies", {
  key: text("key").primaryKey(),
  applied: integer("applied").notNull().default(0),
});
