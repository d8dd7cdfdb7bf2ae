import { openServiceDatabase } from "@paymesh/runtime";
import { ledgerService } from "../main.js";

/**
 * The ledger's database as the running service opens it (same settings, same migrations), for
 * the operator command named `command`, which shows as `ledger-<command>` in pg_stat_activity.
 */
export function openLedger(command: string) {
  return openServiceDatabase(ledgerService, { applicationName: `ledger-${command}`, max: 2 });
}

/** The innermost cause's message: Postgres's own words, not the query that carried them. */
export function rootMessage(error: unknown): string {
  let e = error;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  return e instanceof Error ? e.message : String(e);
}
