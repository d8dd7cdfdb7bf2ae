import { sql } from "drizzle-orm";
import { bigint, check, date, index, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";

export { outbox, parkedEvents, processedEvents } from "@paymesh/events";

export const TRANSFER_STATUSES = ["initiated", "completed", "failed"] as const;
export type TransferStatusName = (typeof TRANSFER_STATUSES)[number];

export const FAILURE_REASONS = ["insufficient_funds", "payee_unavailable", "limit_exceeded", "account_unavailable"] as const;
export type FailureReasonName = (typeof FAILURE_REASONS)[number];

/** What a transfer says, in both its own row and the history rows the projection copies it into. */
const transferFacts = () => ({
  fromAccountId: uuid("from_account_id").notNull(),
  /** The payee's account: as requested, or as the handle resolved; null when it did not resolve. */
  toAccountId: uuid("to_account_id"),
  /** Normalised handle (`@bob`) when paid by handle, else "". */
  toHandle: text("to_handle").notNull(),
  amount: bigint("amount", { mode: "bigint" }).notNull(),
  currency: text("currency").notNull(),
  memo: text("memo").notNull(),
  status: text("status", { enum: TRANSFER_STATUSES }).notNull(),
  failureReason: text("failure_reason", { enum: FAILURE_REASONS }),
  failureMessage: text("failure_message").notNull(),
  /** The ledger entry id, derived from the transfer id (entryIdFor). */
  entryId: uuid("entry_id").notNull(),
  /** The payee's subject, "" when unknown. */
  payee: text("payee").notNull(),
  /** The payee handle's display name as resolution showed it to the payer (masked), "" when not paid by a resolved handle. */
  payeeMaskedDisplayName: text("payee_masked_display_name").notNull().default(""),
});

/**
 * Transfers, the source of truth; each row is also the durable idempotency record of the
 * request that created it: unique per (payer, idempotency_key), with the request's fingerprint
 * and its fields as given, so a reused key is recognised and the differing field named.
 */
export const transfers = pgTable(
  "transfers",
  {
    id: uuid("id").primaryKey(),
    /** The caller's subject: who pays, and the scope of the idempotency key. */
    payer: text("payer").notNull(),
    idempotencyKey: text("idempotency_key").notNull(),
    /** sha256 of the normalised request (see requestFingerprint). */
    requestFingerprint: text("request_fingerprint").notNull(),
    ...transferFacts(),
    /** The UTC day and month whose limit usage this transfer holds; null when it holds none. */
    usageDay: date("usage_day", { mode: "string" }),
    usageMonth: date("usage_month", { mode: "string" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex("transfers_payer_idempotency_key_idx").on(t.payer, t.idempotencyKey),
    uniqueIndex("transfers_entry_id_idx").on(t.entryId),
    // The recovery worker scans only transfers still in flight, oldest first.
    index("transfers_in_flight_idx").on(t.createdAt).where(sql`${t.status} = 'initiated'`),
    check("transfers_amount_positive", sql`${t.amount} > 0`),
    check("transfers_usage_both_or_neither", sql`(${t.usageDay} is null) = (${t.usageMonth} is null)`),
  ],
);

/** Limits per currency, as set by operators or governance; a currency without a row uses the defaults. */
export const limitPolicies = pgTable("limit_policies", {
  currency: text("currency").primaryKey(),
  perTransactionMax: bigint("per_transaction_max", { mode: "bigint" }).notNull(),
  dailyMax: bigint("daily_max", { mode: "bigint" }).notNull(),
  monthlyMax: bigint("monthly_max", { mode: "bigint" }).notNull(),
  updatedBy: text("updated_by").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/**
 * What each account has sent (or holds in flight) per UTC day and month. Reserved by a
 * conditional upsert (`used + amount <= max`) in the transaction that records the transfer,
 * so concurrent transfers cannot together cross a limit; released when a transfer fails.
 */
export const limitUsage = pgTable(
  "limit_usage",
  {
    accountId: uuid("account_id").notNull(),
    period: text("period", { enum: ["day", "month"] }).notNull(),
    /** First day of the period (UTC). */
    periodStart: date("period_start", { mode: "string" }).notNull(),
    used: bigint("used", { mode: "bigint" }).notNull().default(sql`0`),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.period, t.periodStart] }), check("limit_usage_used_non_negative", sql`${t.used} >= 0`)],
);

/**
 * Read table kept by the history projection from the transfers stream: one row per transfer
 * and participant (payer and payee), so ListTransfers is one index range per caller.
 */
export const transferHistory = pgTable(
  "transfer_history",
  {
    participant: text("participant").notNull(),
    transferId: uuid("transfer_id").notNull(),
    ...transferFacts(),
    payer: text("payer").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
    /**
     * The trace of the event that last changed the row (W3C trace id; null when it carried
     * none): an operator looking at a transfer's history finds every hop of it in one search.
     */
    traceId: text("trace_id"),
  },
  (t) => [
    primaryKey({ columns: [t.participant, t.transferId] }),
    index("transfer_history_participant_time_idx").on(t.participant, t.createdAt.desc(), t.transferId.desc()),
  ],
);
