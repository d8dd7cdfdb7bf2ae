import { asc, inArray, sql } from "drizzle-orm";
import type { AccountState } from "./account-state.js";
import type { Posting, StoredEntry } from "./journal-types.js";
import type { LedgerTransaction } from "./ledger-database.js";
import { accounts, entries, entryLines } from "./schema.js";

/**
 * Set-based reads and writes of the journal for the posting engine: one statement per table
 * per batch (arrays through `unnest`), however many entries the batch holds.
 */

/** Locks and loads the entries with these ids; ids are sorted so every instance locks in one order. */
export async function lockEntries(tx: LedgerTransaction, ids: string[]): Promise<Map<string, StoredEntry>> {
  const found = new Map<string, StoredEntry>();
  if (ids.length === 0) return found;
  const rows = await tx.select().from(entries).where(inArray(entries.id, ids)).orderBy(asc(entries.id)).for("update");
  if (rows.length === 0) return found;
  const lines = await tx
    .select()
    .from(entryLines)
    .where(
      inArray(
        entryLines.entryId,
        rows.map((row) => row.id),
      ),
    )
    .orderBy(asc(entryLines.entryId), asc(entryLines.lineIndex));
  for (const row of rows) {
    found.set(row.id, {
      id: row.id,
      lines: [],
      memo: row.memo,
      metadata: row.metadata,
      pending: row.pending,
      pendingTimeoutSeconds: row.pendingTimeoutSeconds,
      status: row.status,
      expiresAt: row.expiresAt,
      postedAmounts: row.postedAmounts?.map(BigInt) ?? null,
      createdAt: row.createdAt,
      resolvedAt: row.resolvedAt,
    });
  }
  for (const line of lines) {
    found.get(line.entryId)!.lines.push({ accountId: line.accountId, amount: line.amount, side: line.side, currency: line.currency });
  }
  return found;
}

/** Locks and loads accounts, in id order so that concurrent batches never deadlock. */
export async function lockAccounts(tx: LedgerTransaction, ids: string[]): Promise<Map<string, AccountState>> {
  const found = new Map<string, AccountState>();
  if (ids.length === 0) return found;
  const rows = await tx.select().from(accounts).where(inArray(accounts.id, ids)).orderBy(asc(accounts.id)).for("update");
  for (const row of rows) found.set(row.id, { ...row });
  return found;
}

/** The database clock, read after the locks so that postings are time-ordered per account. */
export async function lockedNow(tx: LedgerTransaction): Promise<Date> {
  const [row] = await tx.execute<{ now: string }>(sql`select clock_timestamp() as now`);
  return new Date(row!.now);
}

const param = <T>(values: T[]) => sql.param(values);

export async function insertEntries(tx: LedgerTransaction, rows: StoredEntry[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.execute(sql`
    insert into entries (id, memo, metadata, pending, pending_timeout_seconds, status, expires_at, created_at)
    select id, memo, metadata::jsonb, pending::bool, pending_timeout_seconds, status, expires_at::timestamptz, created_at::timestamptz from unnest(
      ${param(rows.map((e) => e.id))}::uuid[], ${param(rows.map((e) => e.memo))}::text[],
      ${param(rows.map((e) => JSON.stringify(e.metadata)))}::text[], ${param(rows.map((e) => String(e.pending)))}::text[],
      ${param(rows.map((e) => String(e.pendingTimeoutSeconds)))}::int4[], ${param(rows.map((e) => e.status))}::text[],
      ${param(rows.map((e) => e.expiresAt?.toISOString() ?? null))}::text[], ${param(rows.map((e) => e.createdAt.toISOString()))}::text[]
    ) as v(id, memo, metadata, pending, pending_timeout_seconds, status, expires_at, created_at)`);
  const lines = rows.flatMap((entry) => entry.lines.map((line, index) => ({ entryId: entry.id, index, ...line })));
  await tx.execute(sql`
    insert into entry_lines (entry_id, line_index, account_id, amount, side, currency)
    select * from unnest(
      ${param(lines.map((l) => l.entryId))}::uuid[], ${param(lines.map((l) => String(l.index)))}::int4[],
      ${param(lines.map((l) => l.accountId))}::uuid[], ${param(lines.map((l) => String(l.amount)))}::int8[],
      ${param(lines.map((l) => l.side))}::text[], ${param(lines.map((l) => l.currency))}::text[]
    )`);
}

export async function insertPostings(tx: LedgerTransaction, rows: Posting[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.execute(sql`
    insert into postings (account_id, sequence, entry_id, line_index, amount, side, debits_after, credits_after, posted_at)
    select account_id, sequence, entry_id, line_index, amount, side, debits_after, credits_after, posted_at::timestamptz from unnest(
      ${param(rows.map((p) => p.accountId))}::uuid[], ${param(rows.map((p) => String(p.sequence)))}::int8[],
      ${param(rows.map((p) => p.entryId))}::uuid[], ${param(rows.map((p) => String(p.lineIndex)))}::int4[],
      ${param(rows.map((p) => String(p.amount)))}::int8[], ${param(rows.map((p) => p.side))}::text[],
      ${param(rows.map((p) => String(p.debitsAfter)))}::int8[], ${param(rows.map((p) => String(p.creditsAfter)))}::int8[],
      ${param(rows.map((p) => p.postedAt.toISOString()))}::text[]
    ) as v(account_id, sequence, entry_id, line_index, amount, side, debits_after, credits_after, posted_at)`);
}

export async function updateAccountTotals(tx: LedgerTransaction, rows: AccountState[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.execute(sql`
    update accounts as a set
      debits_posted = v.debits_posted, credits_posted = v.credits_posted,
      debits_pending = v.debits_pending, credits_pending = v.credits_pending, sequence = v.sequence
    from unnest(
      ${param(rows.map((r) => r.id))}::uuid[], ${param(rows.map((r) => String(r.debitsPosted)))}::int8[],
      ${param(rows.map((r) => String(r.creditsPosted)))}::int8[], ${param(rows.map((r) => String(r.debitsPending)))}::int8[],
      ${param(rows.map((r) => String(r.creditsPending)))}::int8[], ${param(rows.map((r) => String(r.sequence)))}::int8[]
    ) as v(id, debits_posted, credits_posted, debits_pending, credits_pending, sequence)
    where a.id = v.id`);
}

export async function updateResolvedEntries(tx: LedgerTransaction, rows: StoredEntry[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.execute(sql`
    update entries as e set status = v.status, posted_amounts = v.posted_amounts::jsonb, resolved_at = v.resolved_at::timestamptz
    from unnest(
      ${param(rows.map((r) => r.id))}::uuid[], ${param(rows.map((r) => r.status))}::text[],
      ${param(rows.map((r) => (r.postedAmounts === null ? null : JSON.stringify(r.postedAmounts.map(String)))))}::text[],
      ${param(rows.map((r) => r.resolvedAt?.toISOString() ?? null))}::text[]
    ) as v(id, status, posted_amounts, resolved_at)
    where e.id = v.id`);
}
