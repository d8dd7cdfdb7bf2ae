import { sql } from "drizzle-orm";
import { bigint, boolean, check, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";

export { outbox, parkedEvents, processedEvents } from "@paymesh/events";

/**
 * Accounts with their running totals. The CHECK constraints restate the flag rules so that
 * even a bug in the posting engine cannot commit an overdraft: the database refuses it.
 */
export const accounts = pgTable(
  "accounts",
  {
    id: uuid("id").primaryKey(),
    currency: text("currency").notNull(),
    owner: text("owner").notNull(),
    code: text("code").notNull(),
    debitsMustNotExceedCredits: boolean("debits_must_not_exceed_credits").notNull(),
    creditsMustNotExceedDebits: boolean("credits_must_not_exceed_debits").notNull(),
    metadata: jsonb("metadata").$type<Record<string, string>>().notNull(),
    status: text("status", { enum: ["active", "closed"] })
      .notNull()
      .default("active"),
    debitsPosted: bigint("debits_posted", { mode: "bigint" }).notNull().default(sql`0`),
    creditsPosted: bigint("credits_posted", { mode: "bigint" }).notNull().default(sql`0`),
    debitsPending: bigint("debits_pending", { mode: "bigint" }).notNull().default(sql`0`),
    creditsPending: bigint("credits_pending", { mode: "bigint" }).notNull().default(sql`0`),
    /** Number of posted lines so far; each posting takes the next value. */
    sequence: bigint("sequence", { mode: "bigint" }).notNull().default(sql`0`),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("accounts_owner_idx").on(t.owner, t.createdAt, t.id),
    check(
      "accounts_totals_non_negative",
      sql`${t.debitsPosted} >= 0 and ${t.creditsPosted} >= 0 and ${t.debitsPending} >= 0 and ${t.creditsPending} >= 0`,
    ),
    check(
      "accounts_debits_within_credits",
      sql`not ${t.debitsMustNotExceedCredits} or ${t.debitsPosted} + ${t.debitsPending} <= ${t.creditsPosted}`,
    ),
    check(
      "accounts_credits_within_debits",
      sql`not ${t.creditsMustNotExceedDebits} or ${t.creditsPosted} + ${t.creditsPending} <= ${t.debitsPosted}`,
    ),
  ],
);

/** Journal entries as requested: immutable content plus their lifecycle. */
export const entries = pgTable(
  "entries",
  {
    id: uuid("id").primaryKey(),
    memo: text("memo").notNull(),
    metadata: jsonb("metadata").$type<Record<string, string>>().notNull(),
    pending: boolean("pending").notNull(),
    pendingTimeoutSeconds: integer("pending_timeout_seconds").notNull(),
    status: text("status", { enum: ["posted", "pending", "voided", "expired"] }).notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    /** For a posted pending entry: the amount posted per line, in line order. */
    postedAmounts: jsonb("posted_amounts").$type<string[]>(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
  },
  (t) => [index("entries_pending_expiry_idx").on(t.expiresAt).where(sql`${t.status} = 'pending'`)],
);

/** The lines of each entry, as requested. */
export const entryLines = pgTable(
  "entry_lines",
  {
    entryId: uuid("entry_id").notNull(),
    lineIndex: integer("line_index").notNull(),
    accountId: uuid("account_id").notNull(),
    amount: bigint("amount", { mode: "bigint" }).notNull(),
    side: text("side", { enum: ["debit", "credit"] }).notNull(),
    currency: text("currency").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.entryId, t.lineIndex] }),
    index("entry_lines_account_idx").on(t.accountId),
    check("entry_lines_amount_positive", sql`${t.amount} > 0`),
  ],
);

/** One line's effect on one account, in that account's order: the journal's and the statement's key facts. */
const postedLine = () => ({
  accountId: uuid("account_id").notNull(),
  /** The account's own sequence: 1, 2, 3, … per posted line. */
  sequence: bigint("sequence", { mode: "bigint" }).notNull(),
  entryId: uuid("entry_id").notNull(),
  lineIndex: integer("line_index").notNull(),
  amount: bigint("amount", { mode: "bigint" }).notNull(),
  side: text("side", { enum: ["debit", "credit"] }).notNull(),
});

/**
 * Every change to a posted balance, in each account's own order: the journal of record
 * that reconciliation recomputes balances from and `GetBalance(as_of)` reads.
 */
export const postings = pgTable(
  "postings",
  {
    ...postedLine(),
    /** The account's posted totals after this line. */
    debitsAfter: bigint("debits_after", { mode: "bigint" }).notNull(),
    creditsAfter: bigint("credits_after", { mode: "bigint" }).notNull(),
    postedAt: timestamp("posted_at", { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.sequence] }), index("postings_account_time_idx").on(t.accountId, t.postedAt)],
);

/** Read table kept by the statement projection from the ledger's own events. */
export const statementLines = pgTable(
  "statement_lines",
  {
    ...postedLine(),
    balanceAfter: bigint("balance_after", { mode: "bigint" }).notNull(),
    postedAt: timestamp("posted_at", { withTimezone: true }).notNull(),
    memo: text("memo").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.sequence] }),
    index("statement_lines_account_time_idx").on(t.accountId, t.postedAt, t.sequence),
  ],
);
