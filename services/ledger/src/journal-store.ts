import type { Sql, TransactionSql } from "postgres";
import type { AccountState } from "./account-state.js";
import type { Posting, StoredEntry } from "./journal-types.js";

/**
 * Set-based reads and writes of the journal for the posting engine: one statement per table
 * per batch (arrays through `unnest`), however many entries the batch holds. They run on
 * postgres.js directly so each is a prepared statement: one round trip, no re-parsing.
 */
type Tx = TransactionSql;

/** First key of the transaction-scoped advisory locks on entry ids ("pmen"), apart from any other lock. */
const ENTRY_ID_LOCKS = 0x706d656e;

/**
 * Locks these entry ids, whether or not an entry holds them yet, and loads the entries that do.
 * `for update` alone locks only rows that exist: two transactions posting one new id at once
 * both found nothing, and the second, once the first had applied it, judged the entry afresh
 * against balances the first had already moved, refusing it (insufficient funds) though it was
 * applied. A caller that trusted the refusal called a payment failed whose money had moved. The
 * advisory lock on each id makes the second wait for the first and then find its entry, to
 * answer as a replay. Keys are taken in one order (by hash), so two batches cannot deadlock.
 */
export async function lockEntries(tx: Tx, ids: string[]): Promise<Map<string, StoredEntry>> {
  if (ids.length > 0) {
    await tx`
      select pg_advisory_xact_lock(${ENTRY_ID_LOCKS}, key)
      from (select distinct hashtext(id::text) as key from unnest(${ids}::uuid[]) as id order by key) as keys`;
  }
  return loadEntries(tx, ids, true);
}

/** Loads entries without locking them, for readers that must not wait behind postings. */
export function readEntries(sql: Sql, ids: string[]): Promise<Map<string, StoredEntry>> {
  return loadEntries(sql, ids, false);
}

async function loadEntries(sql: Sql | Tx, ids: string[], forUpdate: boolean): Promise<Map<string, StoredEntry>> {
  const found = new Map<string, StoredEntry>();
  if (ids.length === 0) return found;
  const rows = await sql<
    EntryRow[]
  >`select * from entries where id = any(${ids}::uuid[]) order by id ${forUpdate ? sql`for update` : sql``}`;
  if (rows.length === 0) return found;
  const lines = await sql<LineRow[]>`
    select entry_id, account_id, amount, side, currency from entry_lines
    where entry_id = any(${rows.map((row) => row.id)}::uuid[]) order by entry_id, line_index`;
  for (const row of rows) {
    found.set(row.id, {
      id: row.id,
      lines: [],
      memo: row.memo,
      metadata: row.metadata,
      pending: row.pending,
      pendingTimeoutSeconds: row.pending_timeout_seconds,
      status: row.status,
      expiresAt: row.expires_at === null ? null : new Date(row.expires_at),
      postedAmounts: row.posted_amounts?.map(BigInt) ?? null,
      createdAt: new Date(row.created_at),
      resolvedAt: row.resolved_at === null ? null : new Date(row.resolved_at),
    });
  }
  for (const line of lines) {
    found
      .get(line.entry_id)!
      .lines.push({ accountId: line.account_id, amount: BigInt(line.amount), side: line.side, currency: line.currency });
  }
  return found;
}

/** Locks and loads accounts, in id order so that concurrent batches never deadlock. */
export async function lockAccounts(tx: Tx, ids: string[]): Promise<Map<string, AccountState>> {
  const found = new Map<string, AccountState>();
  if (ids.length === 0) return found;
  const rows = await tx<AccountRow[]>`
    select id, currency, status, debits_must_not_exceed_credits, credits_must_not_exceed_debits,
           debits_posted, credits_posted, debits_pending, credits_pending, sequence
    from accounts where id = any(${ids}::uuid[]) order by id for update`;
  for (const row of rows) {
    found.set(row.id, {
      id: row.id,
      currency: row.currency,
      status: row.status,
      debitsMustNotExceedCredits: row.debits_must_not_exceed_credits,
      creditsMustNotExceedDebits: row.credits_must_not_exceed_debits,
      debitsPosted: BigInt(row.debits_posted),
      creditsPosted: BigInt(row.credits_posted),
      debitsPending: BigInt(row.debits_pending),
      creditsPending: BigInt(row.credits_pending),
      sequence: BigInt(row.sequence),
    });
  }
  return found;
}

// Raw rows as postgres.js returns them (int8 as text, timestamps as text).
interface EntryRow {
  id: string;
  memo: string;
  metadata: Record<string, string>;
  pending: boolean;
  pending_timeout_seconds: number;
  status: StoredEntry["status"];
  expires_at: string | null;
  posted_amounts: string[] | null;
  created_at: string;
  resolved_at: string | null;
}

interface LineRow {
  entry_id: string;
  account_id: string;
  amount: string;
  side: "debit" | "credit";
  currency: string;
}

interface AccountRow {
  id: string;
  currency: string;
  status: "active" | "closed";
  debits_must_not_exceed_credits: boolean;
  credits_must_not_exceed_debits: boolean;
  debits_posted: string;
  credits_posted: string;
  debits_pending: string;
  credits_pending: string;
  sequence: string;
}

/** The database clock, read after the locks so that postings are time-ordered per account. */
export async function lockedNow(tx: Tx): Promise<Date> {
  const [row] = await tx<{ now: string }[]>`select clock_timestamp()::text as now`;
  return new Date(row!.now);
}

export async function insertEntries(tx: Tx, rows: StoredEntry[]): Promise<void> {
  if (rows.length === 0) return;
  await tx`
    insert into entries (id, memo, metadata, pending, pending_timeout_seconds, status, expires_at, created_at)
    select id, memo, metadata::jsonb, pending::bool, pending_timeout_seconds, status, expires_at::timestamptz, created_at::timestamptz from unnest(
      ${rows.map((e) => e.id)}::uuid[], ${rows.map((e) => e.memo)}::text[],
      ${rows.map((e) => JSON.stringify(e.metadata))}::text[], ${rows.map((e) => String(e.pending))}::text[],
      ${rows.map((e) => String(e.pendingTimeoutSeconds))}::int4[], ${rows.map((e) => e.status)}::text[],
      ${rows.map((e) => e.expiresAt?.toISOString() ?? null)}::text[], ${rows.map((e) => e.createdAt.toISOString())}::text[]
    ) as v(id, memo, metadata, pending, pending_timeout_seconds, status, expires_at, created_at)`;
  const lines = rows.flatMap((entry) => entry.lines.map((line, index) => ({ entryId: entry.id, index, ...line })));
  await tx`
    insert into entry_lines (entry_id, line_index, account_id, amount, side, currency)
    select * from unnest(
      ${lines.map((l) => l.entryId)}::uuid[], ${lines.map((l) => String(l.index))}::int4[],
      ${lines.map((l) => l.accountId)}::uuid[], ${lines.map((l) => String(l.amount))}::int8[],
      ${lines.map((l) => l.side)}::text[], ${lines.map((l) => l.currency)}::text[]
    )`;
}

export async function insertPostings(tx: Tx, rows: Posting[]): Promise<void> {
  if (rows.length === 0) return;
  await tx`
    insert into postings (account_id, sequence, entry_id, line_index, amount, side, debits_after, credits_after, posted_at)
    select account_id, sequence, entry_id, line_index, amount, side, debits_after, credits_after, posted_at::timestamptz from unnest(
      ${rows.map((p) => p.accountId)}::uuid[], ${rows.map((p) => String(p.sequence))}::int8[],
      ${rows.map((p) => p.entryId)}::uuid[], ${rows.map((p) => String(p.lineIndex))}::int4[],
      ${rows.map((p) => String(p.amount))}::int8[], ${rows.map((p) => p.side)}::text[],
      ${rows.map((p) => String(p.debitsAfter))}::int8[], ${rows.map((p) => String(p.creditsAfter))}::int8[],
      ${rows.map((p) => p.postedAt.toISOString())}::text[]
    ) as v(account_id, sequence, entry_id, line_index, amount, side, debits_after, credits_after, posted_at)`;
}

export async function updateAccountTotals(tx: Tx, rows: AccountState[]): Promise<void> {
  if (rows.length === 0) return;
  await tx`
    update accounts as a set
      debits_posted = v.debits_posted, credits_posted = v.credits_posted,
      debits_pending = v.debits_pending, credits_pending = v.credits_pending, sequence = v.sequence
    from unnest(
      ${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => String(r.debitsPosted))}::int8[],
      ${rows.map((r) => String(r.creditsPosted))}::int8[], ${rows.map((r) => String(r.debitsPending))}::int8[],
      ${rows.map((r) => String(r.creditsPending))}::int8[], ${rows.map((r) => String(r.sequence))}::int8[]
    ) as v(id, debits_posted, credits_posted, debits_pending, credits_pending, sequence)
    where a.id = v.id`;
}

export async function updateResolvedEntries(tx: Tx, rows: StoredEntry[]): Promise<void> {
  if (rows.length === 0) return;
  await tx`
    update entries as e set status = v.status, posted_amounts = v.posted_amounts::jsonb, resolved_at = v.resolved_at::timestamptz
    from unnest(
      ${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.status)}::text[],
      ${rows.map((r) => (r.postedAmounts === null ? null : JSON.stringify(r.postedAmounts.map(String))))}::text[],
      ${rows.map((r) => r.resolvedAt?.toISOString() ?? null)}::text[]
    ) as v(id, status, posted_amounts, resolved_at)
    where e.id = v.id`;
}
