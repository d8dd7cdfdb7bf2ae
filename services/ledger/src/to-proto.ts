import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { currencyExponent } from "@paymesh/domain";
import { type PostedLine, PostedLineSchema } from "@paymesh/gen/paymesh/ledger/v1/events_pb";
import {
  type Account,
  AccountSchema,
  AccountStatus,
  type Balances,
  BalancesSchema,
  type Entry,
  EntrySchema,
  EntryStatus,
  Side,
} from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import { type AccountState, available, balance } from "./account-state.js";
import type { Side as LineSide, Posting, StoredEntry } from "./journal-types.js";
import type { accounts } from "./schema.js";

const ENTRY_STATUS = {
  posted: EntryStatus.POSTED,
  pending: EntryStatus.PENDING,
  voided: EntryStatus.VOIDED,
  expired: EntryStatus.EXPIRED,
} as const;

export const toSide = (side: LineSide): Side => (side === "debit" ? Side.DEBIT : Side.CREDIT);
export const fromSide = (side: Side): LineSide => (side === Side.DEBIT ? "debit" : "credit");

export function toBalances(account: AccountState): Balances {
  return create(BalancesSchema, {
    debitsPosted: account.debitsPosted,
    creditsPosted: account.creditsPosted,
    debitsPending: account.debitsPending,
    creditsPending: account.creditsPending,
    balance: balance(account),
    available: available(account),
  });
}

export function toAccount(row: typeof accounts.$inferSelect): Account {
  return create(AccountSchema, {
    id: row.id,
    currency: row.currency,
    currencyExponent: currencyExponent(row.currency) ?? 2,
    owner: row.owner,
    code: row.code,
    flags: { debitsMustNotExceedCredits: row.debitsMustNotExceedCredits, creditsMustNotExceedDebits: row.creditsMustNotExceedDebits },
    metadata: row.metadata,
    status: row.status === "active" ? AccountStatus.ACTIVE : AccountStatus.CLOSED,
    balances: toBalances(row),
    createTime: timestampFromDate(row.createdAt),
  });
}

export function toEntry(entry: StoredEntry): Entry {
  return create(EntrySchema, {
    entryId: entry.id,
    lines: entry.lines.map((line) => ({ accountId: line.accountId, amount: line.amount, side: toSide(line.side) })),
    memo: entry.memo,
    metadata: entry.metadata,
    status: ENTRY_STATUS[entry.status],
    pending: entry.pending,
    expireTime: entry.expiresAt ? timestampFromDate(entry.expiresAt) : undefined,
    postedAmounts: entry.postedAmounts ?? [],
    createTime: timestampFromDate(entry.createdAt),
    resolveTime: entry.resolvedAt ? timestampFromDate(entry.resolvedAt) : undefined,
  });
}

export function toPostedLine(posting: Posting): PostedLine {
  return create(PostedLineSchema, {
    accountId: posting.accountId,
    lineIndex: posting.lineIndex,
    amount: posting.amount,
    side: toSide(posting.side),
    currency: posting.currency,
    balanceAfter: posting.balanceAfter,
    sequence: posting.sequence,
  });
}
