import { create } from "@bufbuild/protobuf";
import { appendEvents, type OutgoingEvent } from "@paymesh/events";
import { NotificationCreatedSchema } from "@paymesh/gen/paymesh/notifications/v1/events_pb";
import { eq, inArray, sql } from "drizzle-orm";
import { v7 as uuidv7 } from "uuid";
import { channelEnabled } from "./channel-policy.js";
import type { NotificationDraft } from "./notification-draft.js";
import type { NotificationRow, NotificationsTransaction } from "./notifications-database.js";
import { inboxCounters, notifications, preferences } from "./schema.js";
import { toNotification } from "./to-proto.js";

/** The switches of `recipients`, keyed `<subject>:<category>:<channel>`. */
async function switchesOf(tx: NotificationsTransaction, recipients: string[]): Promise<Map<string, Map<string, boolean>>> {
  const rows = await tx.select().from(preferences).where(inArray(preferences.subject, recipients));
  const bySubject = new Map<string, Map<string, boolean>>();
  for (const row of rows) {
    const switches = bySubject.get(row.subject) ?? new Map<string, boolean>();
    switches.set(`${row.category}:${row.channel}`, row.enabled);
    bySubject.set(row.subject, switches);
  }
  return bySubject;
}

/**
 * Writes the notifications an event calls for into their recipients' inboxes, in the caller's
 * transaction (the consumer's, which also records the event as processed): each row with the
 * next place in its inbox and the unread count raised in the same statement, and a
 * NotificationCreated in the outbox, which the relay publishes once the transaction commits and
 * every instance's live watchers receive. Recipients are locked in subject order, so two events
 * for the same people never wait on each other in a cycle.
 *
 * @returns the rows written (none for recipients whose inbox switch is off).
 */
export async function writeInbox(
  tx: NotificationsTransaction,
  eventId: string,
  drafts: NotificationDraft[],
  subject: (event: string) => string,
  now: Date,
): Promise<NotificationRow[]> {
  if (drafts.length === 0) return [];
  const ordered = [...drafts].sort((a, b) => (a.recipient < b.recipient ? -1 : a.recipient > b.recipient ? 1 : 0));
  const switches = await switchesOf(tx, [...new Set(ordered.map((draft) => draft.recipient))]);
  const written: NotificationRow[] = [];
  const events: OutgoingEvent<typeof NotificationCreatedSchema>[] = [];
  for (const draft of ordered) {
    if (!channelEnabled(switches.get(draft.recipient) ?? new Map(), draft.category, "inbox", draft.required)) continue;
    const [counter] = await tx
      .insert(inboxCounters)
      .values({ recipient: draft.recipient, lastSeq: 1n, unread: 1n })
      .onConflictDoUpdate({
        target: inboxCounters.recipient,
        set: { lastSeq: sql`${inboxCounters.lastSeq} + 1`, unread: sql`${inboxCounters.unread} + 1` },
      })
      .returning();
    const [row] = await tx
      .insert(notifications)
      .values({ id: uuidv7(), seq: counter!.lastSeq, eventId, createdAt: now, ...draft })
      .returning();
    written.push(row!);
    events.push({
      subject: subject("notification_created"),
      schema: NotificationCreatedSchema,
      message: create(NotificationCreatedSchema, {
        recipient: draft.recipient,
        notification: toNotification(row!),
        unreadCount: counter!.unread,
      }),
    });
  }
  await appendEvents(tx, events);
  return written;
}

/** The unread count of `recipient`, locking their counter row until the transaction ends. */
export async function lockCounter(tx: NotificationsTransaction, recipient: string): Promise<bigint> {
  const [row] = await tx
    .select({ unread: inboxCounters.unread })
    .from(inboxCounters)
    .where(eq(inboxCounters.recipient, recipient))
    .for("update");
  return row?.unread ?? 0n;
}
