import { DomainError, type Principal } from "@paymesh/runtime";
import { eq } from "drizzle-orm";
import type { LedgerDatabase } from "./ledger-database.js";
import { accounts } from "./schema.js";

export type AccountRow = typeof accounts.$inferSelect;

/**
 * Loads an account the caller may see. Users see only their own, and learn nothing about
 * anyone else's: a missing account and someone else's give the same PERMISSION_DENIED.
 */
export async function readableAccount(db: LedgerDatabase, principal: Principal, id: string): Promise<AccountRow> {
  const [row] = await db.select().from(accounts).where(eq(accounts.id, id));
  if (principal.role === "user") {
    if (row === undefined || row.owner !== principal.subject) {
      throw new DomainError("permission_denied", `account ${id} is not one of yours`);
    }
    return row;
  }
  if (row === undefined) throw new DomainError("not_found", `account ${id} not found`);
  return row;
}
