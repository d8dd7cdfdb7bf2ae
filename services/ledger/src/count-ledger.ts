import { sql } from "drizzle-orm";
import type { LedgerDatabase } from "./ledger-database.js";

/** How much a reconciliation covers: every account and every journal entry. */
export interface LedgerSize {
  accounts: bigint;
  entries: bigint;
}

/** Counts the accounts and journal entries, in one statement so both are of the same moment. */
export async function countLedger(db: LedgerDatabase): Promise<LedgerSize> {
  const [row] = await db.execute<{ accounts: string; entries: string }>(
    sql`select (select count(*) from accounts)::text as accounts, (select count(*) from entries)::text as entries`,
  );
  return { accounts: BigInt(row!.accounts), entries: BigInt(row!.entries) };
}
