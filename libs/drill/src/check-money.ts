import type postgres from "postgres";
import { type CheckResult, checkResult } from "./check-result.js";
import type { PaymentRecord } from "./payment-log.js";
import type { DrillSeed } from "./seed-drill.js";

export interface CheckMoneyOptions {
  /** The ledger's database. */
  ledger: postgres.Sql;
  /** The transfers service's database. */
  transfers: postgres.Sql;
  seed: DrillSeed;
  /** The payments as their clients saw them. */
  payments: PaymentRecord[];
}

interface TransferRow {
  id: string;
  payer: string;
  idempotency_key: string;
  status: string;
  amount: string;
  from_account_id: string;
  to_account_id: string | null;
  entry_id: string;
}

interface EntryRow {
  id: string;
  status: string;
  lines: Array<{ account: string; side: string; amount: string }>;
}

/**
 * "Money exact", read from the two databases directly, never through the services: the ledger
 * balances per currency; every seeded account holds its opening balance moved by exactly the
 * completed transfers; the ledger holds one posted entry per completed transfer (debiting the
 * payer, crediting the payee, the amount), none for a failed one, and nothing beyond those and
 * the seeding; and every final answer a client got is what the transfers table records.
 */
export async function checkMoney(options: CheckMoneyOptions): Promise<CheckResult[]> {
  const { ledger, transfers, seed } = options;
  const currencies = await ledger<{ currency: string; debits: string; credits: string }[]>`
    select a.currency,
           coalesce(sum(p.amount) filter (where p.side = 'debit'), 0)::text as debits,
           coalesce(sum(p.amount) filter (where p.side = 'credit'), 0)::text as credits
    from postings p join accounts a on a.id = p.account_id group by a.currency`;
  const accounts = await ledger<
    { id: string; balance: string }[]
  >`select id, (credits_posted - debits_posted)::text as balance from accounts`;
  const entries = await ledger<EntryRow[]>`
    select e.id, e.status,
           json_agg(json_build_object('account', l.account_id, 'side', l.side, 'amount', l.amount::text) order by l.line_index) as lines
    from entries e join entry_lines l on l.entry_id = e.id group by e.id, e.status`;
  const rows = await transfers<TransferRow[]>`
    select id, payer, idempotency_key, status, amount::text, from_account_id, to_account_id, entry_id from transfers`;

  const balanced = currencies.filter((c) => c.debits !== c.credits).map((c) => `${c.currency}: debits ${c.debits}, credits ${c.credits}`);

  const expected = new Map<string, bigint>();
  let funded = 0n;
  for (const user of [...seed.payers, ...seed.payees]) {
    expected.set(user.accountId, BigInt(user.opening));
    funded += BigInt(user.opening);
  }
  // The funding account is debit-normal: its credit-normal balance is minus what it paid out.
  expected.set(seed.fundingAccountId, -funded);
  for (const row of rows.filter((r) => r.status === "completed")) {
    const amount = BigInt(row.amount);
    if (expected.has(row.from_account_id)) expected.set(row.from_account_id, expected.get(row.from_account_id)! - amount);
    if (row.to_account_id !== null && expected.has(row.to_account_id))
      expected.set(row.to_account_id, expected.get(row.to_account_id)! + amount);
  }
  const actual = new Map(accounts.map((a) => [a.id, BigInt(a.balance)]));
  const balances = [...expected]
    .filter(([id, balance]) => actual.get(id) !== balance)
    .map(([id, balance]) => `${id}: holds ${actual.get(id) ?? "nothing (no account)"}, opening and completed transfers say ${balance}`);

  const entryById = new Map(entries.map((e) => [e.id, e]));
  const accounted = new Set(seed.fundingEntryIds);
  const entryProblems: string[] = [];
  for (const row of rows) {
    const entry = entryById.get(row.entry_id);
    if (row.status === "completed") {
      accounted.add(row.entry_id);
      const [debit, credit] = entry?.lines ?? [];
      const right =
        entry?.status === "posted" &&
        entry.lines.length === 2 &&
        debit?.side === "debit" &&
        debit.account === row.from_account_id &&
        debit.amount === row.amount &&
        credit?.side === "credit" &&
        credit.account === row.to_account_id &&
        credit.amount === row.amount;
      if (!right)
        entryProblems.push(
          `completed transfer ${row.id}: entry ${row.entry_id} ${entry === undefined ? "missing" : `is ${JSON.stringify(entry)}`}`,
        );
    } else if (row.status === "failed" && entry !== undefined) {
      entryProblems.push(`failed transfer ${row.id} has entry ${row.entry_id} (${entry.status})`);
    }
  }
  for (const entry of entries)
    if (!accounted.has(entry.id)) entryProblems.push(`entry ${entry.id} (${entry.status}) belongs to no completed transfer`);

  const byKey = new Map(rows.map((r) => [`${r.payer}/${r.idempotency_key}`, r]));
  const answerProblems: string[] = [];
  for (const payment of options.payments) {
    if (payment.outcome === "GAVE_UP") continue;
    const row = byKey.get(`${payment.payer}/${payment.key}`);
    if (row === undefined)
      answerProblems.push(`${payment.payer} was told ${payment.outcome} for key ${payment.key}; no transfer has that key`);
    else if (row.id !== payment.transferId || row.status !== payment.outcome.toLowerCase()) {
      answerProblems.push(
        `${payment.payer} was told ${payment.outcome} (${payment.transferId}) for key ${payment.key}; recorded ${row.status} (${row.id})`,
      );
    }
  }

  const completed = rows.filter((r) => r.status === "completed").length;
  const failed = rows.filter((r) => r.status === "failed").length;
  return [
    checkResult("debits equal credits", balanced, `per currency: ${currencies.map((c) => `${c.currency} ${c.debits}`).join(", ")}`),
    checkResult("balances exact", balances, `${expected.size} accounts: opening − completed out + completed in`),
    checkResult(
      "one entry per completed transfer",
      entryProblems,
      `${completed} completed, ${failed} failed, ${entries.length} entries (${seed.fundingEntryIds.length} seeding)`,
    ),
    checkResult(
      "answers match records",
      answerProblems,
      `${options.payments.filter((p) => p.outcome !== "GAVE_UP").length} final answers, each the recorded transfer`,
    ),
  ];
}
