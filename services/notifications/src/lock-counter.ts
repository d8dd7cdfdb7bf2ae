import { eq } from "drizzle-orm";
import type { NotificationsTransaction } from "./notifications-database.js";
import { inboxCounters } from "./schema.js";

/** The unread count of `recipient`, locking their counter row until the transaction ends. */
export async function lockCounter(tx: NotificationsTransaction, recipient: string): Promise<bigint> {
  const [row] = await tx
    .select({ unread: inboxCounters.unread })
    .from(inboxCounters)
    .where(eq(inboxCounters.recipient, recipient))
    .for("update");
  return row?.unread ?? 0n;
}
