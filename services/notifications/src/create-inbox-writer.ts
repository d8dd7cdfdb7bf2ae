import { create } from "@bufbuild/protobuf";
import { appendEvents, type OutgoingEvent } from "@paymesh/events";
import { NotificationCreatedSchema } from "@paymesh/gen/paymesh/notifications/v1/events_pb";
import { and, inArray, isNull, sql } from "drizzle-orm";
import { v7 as uuidv7 } from "uuid";
import { channelEnabled, NOISY_CHANNELS } from "./channel-policy.js";
import type { NotificationDraft } from "./notification-draft.js";
import type { NotificationRow, NotificationsTransaction } from "./notifications-database.js";
import { quietUntil } from "./quiet-until.js";
import {
  type ChannelName,
  type DeliveryPayload,
  deliveries,
  inboxCounters,
  notifications,
  preferences,
  userSettings,
  webhookEndpoints,
} from "./schema.js";
import { toNotification } from "./to-proto.js";

/** How notifications are written: where events go, and which channels besides the inbox are configured. */
export interface InboxWriter {
  /**
   * Writes the notifications an event calls for, in the caller's transaction (the consumer's,
   * which also records the event as processed), so each is written once or not at all:
   * - to the inbox, unless switched off: the row with the next place in its inbox, the unread
   *   count raised in the same statement, and a NotificationCreated in the outbox, which the relay
   *   publishes once the transaction commits and every instance's live watchers receive;
   * - to the delivery queue, one row per webhook endpoint, email address, phone and push token
   *   of the recipient whose channel is on; email, SMS and push of a notification that is not
   *   required wait for the end of the recipient's quiet hours.
   * Recipients are locked in subject order, so two events for the same people never wait on each
   * other in a cycle.
   *
   * @returns the inbox rows written.
   */
  write(tx: NotificationsTransaction, eventId: string, drafts: NotificationDraft[], now: Date): Promise<NotificationRow[]>;
}

export interface InboxWriterOptions {
  subject: (event: string) => string;
  /** The channels besides the inbox that are configured (webhooks always are). */
  channels: ReadonlySet<ChannelName>;
  /**
   * Whether new inbox rows are announced (NotificationCreated, to live watchers). Default true;
   * a rebuild writes history, which nobody is waiting for.
   */
  announce?: boolean;
}

/** Loads what writing for `recipients` needs: their switches, settings and enabled endpoints. */
async function recipientsOf(tx: NotificationsTransaction, recipients: string[]) {
  const [switchRows, settingRows, endpointRows] = await Promise.all([
    tx.select().from(preferences).where(inArray(preferences.subject, recipients)),
    tx.select().from(userSettings).where(inArray(userSettings.subject, recipients)),
    tx
      .select({ id: webhookEndpoints.id, owner: webhookEndpoints.owner, eventTypes: webhookEndpoints.eventTypes })
      .from(webhookEndpoints)
      .where(and(inArray(webhookEndpoints.owner, recipients), isNull(webhookEndpoints.disabledAt))),
  ]);
  const switches = new Map<string, Map<string, boolean>>();
  for (const row of switchRows) {
    const own = switches.get(row.subject) ?? new Map<string, boolean>();
    own.set(`${row.category}:${row.channel}`, row.enabled);
    switches.set(row.subject, own);
  }
  return {
    switches: (recipient: string) => switches.get(recipient) ?? new Map<string, boolean>(),
    settings: (recipient: string) => settingRows.find((row) => row.subject === recipient),
    endpoints: (recipient: string, type: string) =>
      endpointRows.filter((row) => row.owner === recipient && (row.eventTypes.length === 0 || row.eventTypes.includes(type))),
  };
}

export function createInboxWriter({ subject, channels, announce = true }: InboxWriterOptions): InboxWriter {
  return {
    async write(tx, eventId, drafts, now) {
      if (drafts.length === 0) return [];
      const ordered = [...drafts].sort((a, b) => (a.recipient < b.recipient ? -1 : a.recipient > b.recipient ? 1 : 0));
      const known = await recipientsOf(tx, [...new Set(ordered.map((draft) => draft.recipient))]);
      // Every recipient's inbox write is sent at once, pipelined on the transaction's connection:
      // Postgres runs them in the order sent (recipient order, so locks are still taken in that
      // order) while the client waits one round trip per step instead of one per statement.
      const inboxed = await Promise.all(
        ordered.map(async (draft) => {
          if (!channelEnabled(known.switches(draft.recipient), draft.category, "inbox", draft.required)) return undefined;
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
          return { row: row!, unread: counter!.unread };
        }),
      );
      const written: NotificationRow[] = [];
      const events: OutgoingEvent<typeof NotificationCreatedSchema>[] = [];
      const queued: Array<typeof deliveries.$inferInsert> = [];
      for (const [index, draft] of ordered.entries()) {
        const switches = known.switches(draft.recipient);
        const on = (channel: ChannelName) => channels.has(channel) && channelEnabled(switches, draft.category, channel, draft.required);
        const inbox = inboxed[index];
        const id = inbox?.row.id ?? uuidv7();
        if (inbox !== undefined) {
          written.push(inbox.row);
          events.push({
            subject: subject("notification_created"),
            schema: NotificationCreatedSchema,
            message: create(NotificationCreatedSchema, {
              recipient: draft.recipient,
              notification: toNotification(inbox.row),
              unreadCount: inbox.unread,
            }),
          });
        }
        const payload: DeliveryPayload = {
          id,
          type: draft.type,
          category: draft.category,
          title: draft.title,
          body: draft.body,
          resource: draft.resource,
          required: draft.required,
          createdAt: now.toISOString(),
        };
        const delivery = (channel: ChannelName, target: string, endpointId: string | null, dueAt: Date) => ({
          id: uuidv7(),
          recipient: draft.recipient,
          channel,
          endpointId,
          target,
          messageId: `msg_${id}`,
          eventType: draft.type,
          payload,
          status: "pending" as const,
          nextAttemptAt: dueAt,
          createdAt: now,
        });
        if (on("webhook")) {
          for (const endpoint of known.endpoints(draft.recipient, draft.type)) queued.push(delivery("webhook", "", endpoint.id, now));
        }
        const settings = known.settings(draft.recipient);
        const quietEnd = draft.required ? undefined : quietUntil(settings, now);
        const contacts: Array<[ChannelName, string]> = [
          ["email", settings?.email ?? ""],
          ["sms", settings?.phone ?? ""],
          ["push", settings?.pushToken ?? ""],
        ];
        for (const [channel, target] of contacts) {
          if (target !== "" && on(channel)) {
            queued.push(delivery(channel, target, null, NOISY_CHANNELS.has(channel) && quietEnd !== undefined ? quietEnd : now));
          }
        }
      }
      await Promise.all([
        queued.length > 0 ? tx.insert(deliveries).values(queued) : undefined,
        announce ? appendEvents(tx, events) : undefined,
      ]);
      return written;
    },
  };
}
