import { DomainError } from "@paymesh/runtime";
import { and, eq, inArray, isNull, lte, sql } from "drizzle-orm";
import { lockCounter } from "./lock-counter.js";
import type { NotificationsDatabase, NotificationsTransaction } from "./notifications-database.js";
import { inboxCounters, notifications } from "./schema.js";

/** What a mark changed, and the unread count it left. */
export interface MarkOutcome {
  changed: number;
  unreadCount: bigint;
}

/**
 * Refuses ids that are not all the caller's. A missing id and someone else's look the same
 * (PERMISSION_DENIED), so nobody learns which notifications exist.
 */
async function requireOwned(tx: NotificationsTransaction, recipient: string, ids: string[]): Promise<void> {
  const wanted = [...new Set(ids.map((id) => id.toLowerCase()))];
  const owned = await tx
    .select({ id: notifications.id })
    .from(notifications)
    .where(and(eq(notifications.recipient, recipient), inArray(notifications.id, wanted)));
  if (owned.length !== wanted.length) {
    const ownedIds = new Set(owned.map((row) => row.id));
    const stranger = wanted.find((id) => !ownedIds.has(id));
    throw new DomainError("permission_denied", `notification ${stranger} is not one of yours`);
  }
}

/** Lowers the counter by the rows a mark turned from unread to read, in the mark's transaction. */
async function lowerCount(tx: NotificationsTransaction, recipient: string, by: number): Promise<bigint> {
  if (by === 0) return lockCounter(tx, recipient);
  const [row] = await tx
    .update(inboxCounters)
    .set({ unread: sql`${inboxCounters.unread} - ${by}` })
    .where(eq(inboxCounters.recipient, recipient))
    .returning({ unread: inboxCounters.unread });
  return row!.unread;
}

/**
 * Marks read the caller's notifications named by `ids`, or every one up to `upToId`. The counter
 * row is locked first, as every inbox write does, so the count moves by exactly the rows this
 * mark turned read however marks and writes interleave.
 */
export function markRead(
  db: NotificationsDatabase,
  recipient: string,
  target: { ids: string[] } | { upToId: string },
): Promise<MarkOutcome> {
  return db.transaction(async (tx) => {
    await lockCounter(tx, recipient);
    let which: ReturnType<typeof and>;
    if ("ids" in target) {
      await requireOwned(tx, recipient, target.ids);
      which = inArray(
        notifications.id,
        target.ids.map((id) => id.toLowerCase()),
      );
    } else {
      const upTo = target.upToId.toLowerCase();
      await requireOwned(tx, recipient, [upTo]);
      which = lte(notifications.seq, tx.select({ seq: notifications.seq }).from(notifications).where(eq(notifications.id, upTo)));
    }
    const marked = await tx
      .update(notifications)
      .set({ readAt: new Date() })
      .where(and(eq(notifications.recipient, recipient), which, isNull(notifications.readAt), isNull(notifications.archivedAt)))
      .returning({ id: notifications.id });
    // Archived rows were read when archived and are out of the count already.
    return { changed: marked.length, unreadCount: await lowerCount(tx, recipient, marked.length) };
  });
}

/** Archives the caller's notifications named by `ids`; an unread one leaves the unread count. */
export function archive(db: NotificationsDatabase, recipient: string, ids: string[]): Promise<MarkOutcome> {
  return db.transaction(async (tx) => {
    await lockCounter(tx, recipient);
    await requireOwned(tx, recipient, ids);
    const rows = await tx
      .select({ id: notifications.id, readAt: notifications.readAt })
      .from(notifications)
      .where(
        and(
          eq(notifications.recipient, recipient),
          inArray(
            notifications.id,
            ids.map((id) => id.toLowerCase()),
          ),
          isNull(notifications.archivedAt),
        ),
      )
      .for("update");
    if (rows.length > 0) {
      const now = new Date();
      await tx
        .update(notifications)
        .set({ archivedAt: now, readAt: sql`coalesce(${notifications.readAt}, ${now.toISOString()}::timestamptz)` })
        .where(
          inArray(
            notifications.id,
            rows.map((row) => row.id),
          ),
        );
    }
    const wasUnread = rows.filter((row) => row.readAt === null).length;
    return { changed: rows.length, unreadCount: await lowerCount(tx, recipient, wasUnread) };
  });
}
