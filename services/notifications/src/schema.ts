import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

export { outbox, parkedEvents, processedEvents } from "@paymesh/events";

export const CATEGORIES = ["payments", "handles", "governance", "security"] as const;
export type CategoryName = (typeof CATEGORIES)[number];

export const CHANNELS = ["inbox", "webhook", "email", "sms", "push"] as const;
export type ChannelName = (typeof CHANNELS)[number];

/**
 * The per-user inbox, kept by the inbox projection: one row per (event, recipient). `seq` is the
 * row's place in its recipient's inbox, handed out under the lock of the recipient's counter row,
 * so within one inbox it grows in commit order without gaps: the cursor a live stream resumes from.
 */
export const notifications = pgTable(
  "notifications",
  {
    id: uuid("id").primaryKey(),
    recipient: text("recipient").notNull(),
    seq: bigint("seq", { mode: "bigint" }).notNull(),
    /** The event that caused it. */
    eventId: uuid("event_id").notNull(),
    /** What happened, e.g. `transfer.completed`. */
    type: text("type").notNull(),
    category: text("category", { enum: CATEGORIES }).notNull(),
    title: text("title").notNull(),
    body: text("body").notNull(),
    /** What it is about: a transfer id, a handle. */
    resource: text("resource").notNull(),
    required: boolean("required").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    readAt: timestamp("read_at", { withTimezone: true }),
    archivedAt: timestamp("archived_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("notifications_recipient_seq_idx").on(t.recipient, t.seq),
    // One notification per event and recipient, whatever redelivers the event.
    uniqueIndex("notifications_event_recipient_idx").on(t.eventId, t.recipient),
    // The unread list: a short index range per recipient, newest first.
    index("notifications_unread_idx").on(t.recipient, t.seq).where(sql`${t.readAt} is null and ${t.archivedAt} is null`),
  ],
);

/**
 * Per recipient: the last inbox position handed out and the unread count. Every inbox write and
 * every read mark updates this row in its own transaction, so the count is exact by construction;
 * the row lock also orders each recipient's writes.
 */
export const inboxCounters = pgTable(
  "inbox_counters",
  {
    recipient: text("recipient").primaryKey(),
    lastSeq: bigint("last_seq", { mode: "bigint" }).notNull(),
    unread: bigint("unread", { mode: "bigint" }).notNull(),
  },
  (t) => [check("inbox_counters_unread_non_negative", sql`${t.unread} >= 0`)],
);

/**
 * The directory as the handles stream tells it: which handle an account is paid by, so a payee
 * reads "@alice sent you ..." without a call to handles per transfer.
 */
export const knownHandles = pgTable(
  "known_handles",
  {
    handle: text("handle").primaryKey(),
    accountId: uuid("account_id").notNull(),
    owner: text("owner").notNull(),
    active: boolean("active").notNull(),
  },
  (t) => [index("known_handles_account_idx").on(t.accountId)],
);

/** A user's switch for one category and channel; without a row the channel's default applies. */
export const preferences = pgTable(
  "preferences",
  {
    subject: text("subject").notNull(),
    category: text("category", { enum: CATEGORIES }).notNull(),
    channel: text("channel", { enum: CHANNELS }).notNull(),
    enabled: boolean("enabled").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.subject, t.category, t.channel] })],
);

/** A user's quiet hours and contacts; without a row none of either. */
export const userSettings = pgTable(
  "user_settings",
  {
    subject: text("subject").primaryKey(),
    quietEnabled: boolean("quiet_enabled").notNull().default(false),
    quietStartMinute: integer("quiet_start_minute").notNull().default(0),
    quietEndMinute: integer("quiet_end_minute").notNull().default(0),
    /** IANA time zone; "" is UTC. */
    timeZone: text("time_zone").notNull().default(""),
    email: text("email").notNull().default(""),
    phone: text("phone").notNull().default(""),
    pushToken: text("push_token").notNull().default(""),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
  },
  (t) => [check("user_settings_quiet_minutes", sql`${t.quietStartMinute} between 0 and 1439 and ${t.quietEndMinute} between 0 and 1439`)],
);

/** A user's webhook endpoint. Secrets are kept to sign with; they are shown to their owner once. */
export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    id: uuid("id").primaryKey(),
    owner: text("owner").notNull(),
    url: text("url").notNull(),
    /** Notification types it receives; empty: all. */
    eventTypes: text("event_types").array().notNull(),
    secret: text("secret").notNull(),
    /** The secret before the last rotation, still signed with until `previousSecretExpiresAt`. */
    previousSecret: text("previous_secret"),
    previousSecretExpiresAt: timestamp("previous_secret_expires_at", { withTimezone: true }),
    /** Since when every attempt failed; null while the last one succeeded. */
    failingSince: timestamp("failing_since", { withTimezone: true }),
    disabledAt: timestamp("disabled_at", { withTimezone: true }),
    disabledReason: text("disabled_reason").notNull().default(""),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
  },
  (t) => [index("webhook_endpoints_owner_idx").on(t.owner, t.createdAt.desc(), t.id.desc())],
);

export const DELIVERY_STATUSES = ["pending", "succeeded", "failed"] as const;
export type DeliveryStatusName = (typeof DELIVERY_STATUSES)[number];

/** What a delivery carries: the notification as the webhook body's `data` and the other channels' text. */
export interface DeliveryPayload {
  id: string;
  type: string;
  category: CategoryName;
  title: string;
  body: string;
  resource: string;
  required: boolean;
  createdAt: string;
}

/**
 * The durable queue of everything sent outside the inbox (webhooks, email, SMS, push): one row
 * per notification and destination, written in the transaction that writes the notification.
 * Workers claim due rows with FOR UPDATE SKIP LOCKED, moving `next_attempt_at` past the attempt's
 * time limit (a lease: a crashed worker's claim comes due again), so any number of instances
 * share the queue and a restart loses nothing.
 */
export const deliveries = pgTable(
  "deliveries",
  {
    id: uuid("id").primaryKey(),
    recipient: text("recipient").notNull(),
    channel: text("channel", { enum: CHANNELS }).notNull(),
    /** The webhook endpoint; null for other channels. */
    endpointId: uuid("endpoint_id").references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    /** Email address, phone number or push token; "" for webhooks. */
    target: text("target").notNull(),
    /** The webhook-id header, the same on every attempt. */
    messageId: text("message_id").notNull(),
    eventType: text("event_type").notNull(),
    payload: jsonb("payload").$type<DeliveryPayload>().notNull(),
    status: text("status", { enum: DELIVERY_STATUSES }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    index("deliveries_due_idx").on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    index("deliveries_endpoint_idx").on(t.endpointId, t.createdAt.desc(), t.id.desc()),
  ],
);

/** Every attempt of a delivery, for ListWebhookDeliveries. */
export const deliveryAttempts = pgTable(
  "delivery_attempts",
  {
    id: uuid("id").primaryKey(),
    deliveryId: uuid("delivery_id")
      .notNull()
      .references(() => deliveries.id, { onDelete: "cascade" }),
    /** HTTP status; 0 without an answer. */
    statusCode: integer("status_code").notNull(),
    latencyMs: integer("latency_ms").notNull(),
    error: text("error").notNull(),
    at: timestamp("at", { withTimezone: true }).notNull(),
  },
  (t) => [index("delivery_attempts_delivery_idx").on(t.deliveryId, t.at)],
);
