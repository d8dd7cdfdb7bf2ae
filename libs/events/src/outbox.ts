import { bytea } from "@paymesh/db";
import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

/**
 * The transactional outbox: events written in the same transaction as the state change they
 * describe, published to JetStream afterwards by the outbox relay. Services include this table
 * in their own schema so drizzle-kit generates it into their migrations.
 */
export const outbox = pgTable(
  "outbox",
  {
    /** The event id, UUIDv7 so ids sort by creation time; published as `Nats-Msg-Id`. */
    id: uuid("id").primaryKey(),
    /** NATS subject, `<prefix>.<context>.<event>`. */
    subject: text("subject").notNull(),
    /** Fully-qualified protobuf type name of the payload, e.g. `paymesh.ledger.v1.EntryPosted`. */
    type: text("type").notNull(),
    /** The protobuf-encoded message. */
    payload: bytea("payload").notNull(),
    /** Headers to publish with it, e.g. the W3C `traceparent` active when it was appended. */
    headers: jsonb("headers").$type<Record<string, string>>().notNull().default({}),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    /** Set when JetStream acknowledged it; null while it waits. */
    publishedAt: timestamp("published_at", { withTimezone: true }),
    /** Failed publish attempts, for operators and metrics; a success does not reset it. */
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
  },
  (table) => [
    // The relay's claim scans only waiting rows, in id (time) order; published rows, the vast
    // majority, stay out of the index.
    index("outbox_unpublished_idx").on(table.id).where(sql`${table.publishedAt} is null`),
  ],
);
