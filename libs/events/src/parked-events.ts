import { bytea } from "@paymesh/db";
import { bigint, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";

/**
 * Poison messages: events a consumer could not apply within its delivery budget, or that are not
 * well-formed events at all. Kept whole (payload and headers) so an operator can inspect, fix and
 * republish them; the stream moves on without them.
 */
export const parkedEvents = pgTable(
  "parked_events",
  {
    /** Row id (UUIDv7); not the event id, which a malformed message may lack. */
    id: uuid("id").primaryKey(),
    consumer: text("consumer").notNull(),
    /** The message's `Nats-Msg-Id` as received, null when it had none. */
    eventId: text("event_id"),
    stream: text("stream").notNull(),
    streamSequence: bigint("stream_sequence", { mode: "number" }).notNull(),
    subject: text("subject").notNull(),
    /** The event type header as received, null when it had none. */
    type: text("type"),
    payload: bytea("payload").notNull(),
    headers: jsonb("headers").$type<Record<string, string>>().notNull().default({}),
    /** The last handler error (or why the message is not an event). */
    error: text("error").notNull(),
    /** Deliveries made, including the last failed one. */
    deliveries: integer("deliveries").notNull(),
    parkedAt: timestamp("parked_at", { withTimezone: true }).notNull().defaultNow(),
  },
  // One row per consumer and event: an event parked again (a late redelivery of one already
  // given up on, a replay) updates its row instead of piling up copies. Messages without an id
  // have a null event_id, and nulls never collide, so each of those keeps its own row.
  (table) => [uniqueIndex("parked_events_consumer_event_idx").on(table.consumer, table.eventId)],
);
