import { create } from "@bufbuild/protobuf";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  HeartbeatSchema,
  type NotificationService,
  type WatchNotificationsResponse,
  WatchNotificationsResponseSchema,
} from "@paymesh/gen/paymesh/notifications/v1/notifications_pb";
import { DomainError, principalOf, readPageRequest, toPage } from "@paymesh/runtime";
import { and, asc, desc, eq, gt, isNull, lt } from "drizzle-orm";
import type { WatchHub, WatchItem } from "./create-watch-hub.js";
import { archive, markRead } from "./inbox-marks.js";
import type { NotificationsDatabase } from "./notifications-database.js";
import { readPreferences, updatePreferences } from "./preference-store.js";
import { inboxCounters, notifications } from "./schema.js";
import { toNotification } from "./to-proto.js";

export interface NotificationServiceOptions {
  db: NotificationsDatabase;
  hub: WatchHub;
  /** Pause after which an idle stream gets a heartbeat. */
  heartbeatMs: number;
}

/** Rows read from Postgres per query while a stream catches up. */
const CATCH_UP_BATCH = 200;

/** The caller's inbox position and unread count (zero for someone never notified). */
async function counterOf(db: NotificationsDatabase, recipient: string): Promise<{ lastSeq: bigint; unread: bigint }> {
  const [row] = await db
    .select({ lastSeq: inboxCounters.lastSeq, unread: inboxCounters.unread })
    .from(inboxCounters)
    .where(eq(inboxCounters.recipient, recipient));
  return row ?? { lastSeq: 0n, unread: 0n };
}

export function createNotificationService({
  db,
  hub,
  heartbeatMs,
}: NotificationServiceOptions): Partial<ServiceImpl<typeof NotificationService>> {
  /** The recipient's notifications after `after`, up to `until` (inclusive) if given, oldest first. */
  const readAfter = (recipient: string, after: bigint, until?: bigint) =>
    db
      .select()
      .from(notifications)
      .where(
        and(
          eq(notifications.recipient, recipient),
          gt(notifications.seq, after),
          until === undefined ? undefined : lt(notifications.seq, until + 1n),
        ),
      )
      .orderBy(asc(notifications.seq))
      .limit(CATCH_UP_BATCH);

  const heartbeat = (unreadCount: bigint): WatchNotificationsResponse =>
    create(WatchNotificationsResponseSchema, {
      event: { case: "heartbeat", value: create(HeartbeatSchema, { time: timestampNow() }) },
      unreadCount,
    });

  return {
    async listNotifications(req, ctx) {
      const { subject } = principalOf(ctx);
      const page = readPageRequest(req, {
        list: "notifications.ListNotifications",
        filters: [subject, String(req.unreadOnly), String(req.includeArchived)],
        cursor: { seq: "int64" },
      });
      const rows = await db
        .select()
        .from(notifications)
        .where(
          and(
            eq(notifications.recipient, subject),
            req.unreadOnly ? isNull(notifications.readAt) : undefined,
            req.includeArchived ? undefined : isNull(notifications.archivedAt),
            page.after === undefined ? undefined : lt(notifications.seq, page.after.seq),
          ),
        )
        .orderBy(desc(notifications.seq))
        .limit(page.limit);
      const { items, nextPageToken } = toPage(rows, page, (row) => ({ seq: row.seq }));
      return { notifications: items.map(toNotification), nextPageToken };
    },

    async getUnreadCount(_req, ctx) {
      return { unreadCount: (await counterOf(db, principalOf(ctx).subject)).unread };
    },

    async markRead(req, ctx) {
      const { subject } = principalOf(ctx);
      const target = req.target.case === "ids" ? { ids: req.target.value.ids } : { upToId: req.target.value! };
      const outcome = await markRead(db, subject, target);
      return { marked: outcome.changed, unreadCount: outcome.unreadCount };
    },

    async archive(req, ctx) {
      const outcome = await archive(db, principalOf(ctx).subject, req.ids!.ids);
      return { archived: outcome.changed, unreadCount: outcome.unreadCount };
    },

    /**
     * Subscribes first, then reads what Postgres holds after the cursor, then follows the push:
     * an item at or below the last one sent is a repeat and skipped; one further ahead than the
     * next means others are still on their way (several relays publish in parallel) and the
     * gap is read from Postgres, where it already is (each inbox's positions are handed out in
     * commit order), so nothing is missed. Each heartbeat also checks the counter, so even the
     * last push before a NATS outage is not lost for longer than a heartbeat.
     */
    async *watchNotifications(req, ctx) {
      const { subject } = principalOf(ctx);
      const watcher = hub.open(subject);
      try {
        const counter = await counterOf(db, subject);
        let last = req.after === "" ? counter.lastSeq : BigInt(req.after);
        let unread = counter.unread;
        yield heartbeat(unread);
        const catchUp = async function* (until?: bigint) {
          for (;;) {
            const rows = await readAfter(subject, last, until);
            for (const row of rows) {
              last = row.seq;
              yield create(WatchNotificationsResponseSchema, {
                event: { case: "notification", value: toNotification(row) },
                unreadCount: unread,
              });
            }
            if (rows.length < CATCH_UP_BATCH) return;
          }
        };
        yield* catchUp();
        for (;;) {
          const next = await watcher.next(heartbeatMs, ctx.signal);
          if (next === "closed") {
            if (ctx.signal.aborted) return;
            throw new DomainError("unavailable", `the service is stopping; reconnect with after="${last}"`);
          }
          if (next === "overflow") {
            throw new DomainError("aborted", `this stream fell behind; reconnect with after="${last}"`, { "resume-after": String(last) });
          }
          if (next === "idle") {
            // A push lost while this instance was cut off from NATS shows here: the counter is
            // ahead. One primary-key read per heartbeat, which also refreshes the unread count
            // after marks made elsewhere (another tab).
            const now = await counterOf(db, subject);
            unread = now.unread;
            if (now.lastSeq > last) yield* catchUp();
            yield heartbeat(unread);
            continue;
          }
          const item: WatchItem = next;
          if (item.seq <= last) continue;
          unread = item.unreadCount;
          if (item.seq > last + 1n) yield* catchUp(item.seq - 1n);
          if (item.seq <= last) continue;
          last = item.seq;
          yield create(WatchNotificationsResponseSchema, {
            event: { case: "notification", value: item.notification },
            unreadCount: unread,
          });
        }
      } finally {
        watcher.close();
      }
    },

    async getPreferences(_req, ctx) {
      return { preferences: await readPreferences(db, principalOf(ctx).subject) };
    },

    async updatePreferences(req, ctx) {
      const { subject } = principalOf(ctx);
      await updatePreferences(db, subject, req);
      return { preferences: await readPreferences(db, subject) };
    },
  };
}
