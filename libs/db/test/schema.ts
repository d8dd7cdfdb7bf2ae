import { integer, pgTable, text } from "drizzle-orm/pg-core";

/** A table that exists only so openDatabase's tests have a generated migration to apply. */
export const widgets = pgTable("widgets", {
  id: integer("id").primaryKey(),
  name: text("name").notNull(),
});
