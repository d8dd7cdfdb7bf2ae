import type { DomainError } from "@paymesh/runtime";

export type Side = "debit" | "credit";

interface LineInput {
  accountId: string;
  amount: bigint;
  side: Side;
}

/** An entry as the client asked for it; `linked` joins it to the next entry of its batch. */
export interface EntryInput {
  id: string;
  lines: LineInput[];
  memo: string;
  metadata: Record<string, string>;
  pending: boolean;
  pendingTimeoutSeconds: number;
  linked: boolean;
}

export interface StoredLine extends LineInput {
  currency: string;
}

type EntryStatus = "posted" | "pending" | "voided" | "expired";

/** An entry as the journal holds it. */
export interface StoredEntry {
  id: string;
  lines: StoredLine[];
  memo: string;
  metadata: Record<string, string>;
  pending: boolean;
  pendingTimeoutSeconds: number;
  status: EntryStatus;
  expiresAt: Date | null;
  postedAmounts: bigint[] | null;
  createdAt: Date;
  resolvedAt: Date | null;
}

/** One change to a posted balance. */
export interface Posting {
  accountId: string;
  sequence: bigint;
  entryId: string;
  lineIndex: number;
  amount: bigint;
  side: Side;
  debitsAfter: bigint;
  creditsAfter: bigint;
  postedAt: Date;
  /** The account's posted balance on its normal side after this line. */
  balanceAfter: bigint;
  currency: string;
}

export type Command =
  | { kind: "post"; entry: EntryInput }
  | { kind: "post_pending"; entryId: string; amount: bigint }
  | { kind: "void_pending"; entryId: string }
  | { kind: "expire"; entryId: string };

export type CommandResult = { ok: true; entry: StoredEntry } | { ok: false; error: DomainError };

/** What happened to the journal, for events; `group` is the index of the call that caused it. */
export type JournalEvent = { group: number } & (
  | { kind: "entry_posted"; entry: StoredEntry; postings: Posting[] }
  | { kind: "pending_posted"; entry: StoredEntry; postings: Posting[] }
  | { kind: "pending_voided"; entry: StoredEntry }
  | { kind: "pending_expired"; entry: StoredEntry }
);
