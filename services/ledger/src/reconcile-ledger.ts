import { sql } from "drizzle-orm";
import type { LedgerDatabase } from "./ledger-database.js";

/** One disagreement between the ledger's own records, or between them and a projection. */
export interface Drift {
  check: string;
  detail: string;
}

/** At most this many rows per check are reported: the first ones are enough to act on. */
const LIMIT = 20;

/**
 * Recomputes every figure the ledger keeps from the journal and compares:
 * account totals and sequence with their postings; pending totals with the lines of
 * pending entries; each posting's running totals with the sum of the postings before it;
 * per currency, debits with credits; every posted entry with its postings; and the
 * statement read table with the postings it was projected from.
 */
export async function reconcileLedger(db: LedgerDatabase): Promise<Drift[]> {
  const checks: Array<[string, ReturnType<typeof sql>]> = [
    [
      "posted totals",
      sql`with p as (
            select account_id,
                   coalesce(sum(amount) filter (where side = 'debit'), 0) as debits,
                   coalesce(sum(amount) filter (where side = 'credit'), 0) as credits,
                   count(*) as lines
            from postings group by account_id)
          select a.id || ': account says debits ' || a.debits_posted || ', credits ' || a.credits_posted || ', sequence ' || a.sequence
                 || '; journal says ' || coalesce(p.debits, 0) || ', ' || coalesce(p.credits, 0) || ', ' || coalesce(p.lines, 0) as detail
          from accounts a left join p on p.account_id = a.id
          where a.debits_posted <> coalesce(p.debits, 0) or a.credits_posted <> coalesce(p.credits, 0) or a.sequence <> coalesce(p.lines, 0)
          limit ${LIMIT}`,
    ],
    [
      "pending totals",
      sql`with r as (
            select l.account_id,
                   coalesce(sum(l.amount) filter (where l.side = 'debit'), 0) as debits,
                   coalesce(sum(l.amount) filter (where l.side = 'credit'), 0) as credits
            from entry_lines l join entries e on e.id = l.entry_id
            where e.status = 'pending' group by l.account_id)
          select a.id || ': account reserves debits ' || a.debits_pending || ', credits ' || a.credits_pending
                 || '; pending entries reserve ' || coalesce(r.debits, 0) || ', ' || coalesce(r.credits, 0) as detail
          from accounts a left join r on r.account_id = a.id
          where a.debits_pending <> coalesce(r.debits, 0) or a.credits_pending <> coalesce(r.credits, 0)
          limit ${LIMIT}`,
    ],
    [
      "running totals",
      sql`select account_id || ' #' || sequence || ': stored ' || debits_after || '/' || credits_after || ', recomputed ' || d || '/' || c as detail
          from (select *,
                  sum(case when side = 'debit' then amount else 0 end) over w as d,
                  sum(case when side = 'credit' then amount else 0 end) over w as c,
                  row_number() over w as n
                from postings window w as (partition by account_id order by sequence)) x
          where debits_after <> d or credits_after <> c or sequence <> n
          limit ${LIMIT}`,
    ],
    [
      "currency balance",
      sql`select a.currency || ': debits ' || sum(p.amount) filter (where p.side = 'debit') || ', credits ' || sum(p.amount) filter (where p.side = 'credit') as detail
          from postings p join accounts a on a.id = p.account_id
          group by a.currency
          having coalesce(sum(p.amount) filter (where p.side = 'debit'), 0) <> coalesce(sum(p.amount) filter (where p.side = 'credit'), 0)
          limit ${LIMIT}`,
    ],
    [
      "posted entries",
      sql`select e.id || ': ' || count(l.*) || ' lines, ' || count(p.*) || ' postings' as detail
          from entries e join entry_lines l on l.entry_id = e.id
          left join postings p on p.entry_id = l.entry_id and p.line_index = l.line_index
          group by e.id, e.status
          having (e.status = 'posted' and count(p.*) <> count(l.*)) or (e.status <> 'posted' and count(p.*) > 0)
          limit ${LIMIT}`,
    ],
    [
      "statement projection",
      sql`select coalesce(p.account_id, s.account_id) || ' #' || coalesce(p.sequence, s.sequence) || ': '
                 || case when s.account_id is null then 'missing from the statement'
                         when p.account_id is null then 'in the statement but not in the journal'
                         else 'differs from the journal' end as detail
          from (select p.*, case when a.credits_must_not_exceed_debits then p.debits_after - p.credits_after
                                 else p.credits_after - p.debits_after end as balance_after
                from postings p join accounts a on a.id = p.account_id) p
          full join statement_lines s on s.account_id = p.account_id and s.sequence = p.sequence
          where s.account_id is null or p.account_id is null
             or s.amount <> p.amount or s.side <> p.side or s.entry_id <> p.entry_id or s.balance_after <> p.balance_after
          limit ${LIMIT}`,
    ],
  ];
  const drift: Drift[] = [];
  for (const [check, query] of checks) {
    const rows = await db.execute<{ detail: string }>(query);
    for (const row of rows) drift.push({ check, detail: row.detail });
  }
  return drift;
}
