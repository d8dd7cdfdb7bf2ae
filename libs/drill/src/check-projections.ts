import { ledgerService, reconcileLedger } from "@paymesh/ledger";
import { openServiceDatabase } from "@paymesh/runtime";
import type postgres from "postgres";
import { type CheckResult, checkResult } from "./check-result.js";

export interface CheckProjectionsOptions {
  /** The environment the ledger runs with, so its database is opened as the service opens it. */
  env: Record<string, string | undefined>;
  /** The transfers service's database. */
  transfers: postgres.Sql;
}

/**
 * Read tables equal their sources: the ledger's reconcile (journal, account totals and the
 * statement table, see reconcileLedger) finds no drift, and transfers' history holds exactly one
 * row per transfer and participant (payer, and payee when known), agreeing with the transfer.
 */
export async function checkProjections(options: CheckProjectionsOptions): Promise<CheckResult[]> {
  const { database } = await openServiceDatabase(ledgerService, { env: options.env, applicationName: "drill-reconcile", max: 2 });
  let drift: Awaited<ReturnType<typeof reconcileLedger>>;
  try {
    drift = await reconcileLedger(database.db);
  } finally {
    await database.close();
  }
  const history = await options.transfers<{ detail: string }[]>`
    with expected as (
      select payer as participant, id, status, failure_reason, amount, from_account_id, to_account_id, entry_id from transfers
      union
      select payee, id, status, failure_reason, amount, from_account_id, to_account_id, entry_id from transfers where payee <> '')
    select coalesce(e.participant, h.participant) || ' ' || coalesce(e.id, h.transfer_id)::text || ': ' ||
           case when h.transfer_id is null then 'missing from the history'
                when e.id is null then 'in the history but not a transfer'
                else 'history says ' || h.status || ', the transfer ' || e.status end as detail
    from expected e full join transfer_history h on h.participant = e.participant and h.transfer_id = e.id
    where h.transfer_id is null or e.id is null or h.status <> e.status or h.failure_reason is distinct from e.failure_reason
       or h.amount <> e.amount or h.from_account_id <> e.from_account_id or h.to_account_id is distinct from e.to_account_id
       or h.entry_id <> e.entry_id`;
  const [rows] = await options.transfers<{ count: number }[]>`select count(*)::int as count from transfer_history`;
  return [
    checkResult(
      "ledger reconciles",
      drift.map((d) => `[${d.check}] ${d.detail}`),
      "journal, account totals and statement table agree",
    ),
    checkResult(
      "history equals transfers",
      history.map((h) => h.detail),
      `${rows!.count} history rows, one per transfer and participant`,
    ),
  ];
}
