import { streamNameFor, toReceivedEvent } from "@paymesh/events";
import { eq, getTableName, sql } from "drizzle-orm";
import type { JetStreamClient, JetStreamManager, JsMsg } from "nats";
import { createInboxWriter } from "./create-inbox-writer.js";
import type { InboxSource } from "./inbox-source.js";
import { INBOX_SOURCES } from "./inbox-sources.js";
import type { NotificationsDatabase } from "./notifications-database.js";
import { inboxCounters, knownHandles, notifications, processedEvents } from "./schema.js";

export interface RebuildInboxOptions {
  db: NotificationsDatabase;
  js: JetStreamClient;
  jsm: JetStreamManager;
  /** The subject prefix the streams are under (EVENTS_SUBJECT_PREFIX). */
  subjectPrefix: string;
}

/** A stream's messages from its first to its last as of now; nothing for an empty or missing one. */
async function* readStream(options: RebuildInboxOptions, stream: string): AsyncGenerator<JsMsg> {
  const { state } = await options.jsm.streams.info(stream);
  if (state.messages === 0) return;
  const consumer = await options.js.consumers.get(stream, { opt_start_seq: state.first_seq });
  const messages = await consumer.consume();
  try {
    for await (const msg of messages) {
      yield msg;
      if (msg.seq >= state.last_seq) return;
    }
  } finally {
    await messages.close();
  }
}

/** The messages of several streams merged in the order they were stored. */
async function* merged(readers: Array<{ source: InboxSource; messages: AsyncGenerator<JsMsg> }>) {
  const heads = await Promise.all(readers.map(async (reader) => ({ ...reader, head: await reader.messages.next() })));
  for (;;) {
    const open = heads.filter((entry) => !entry.head.done);
    if (open.length === 0) return;
    const next = open.reduce((a, b) =>
      (a.head.value as JsMsg).info.timestampNanos <= (b.head.value as JsMsg).info.timestampNanos ? a : b,
    );
    yield { source: next.source, msg: next.head.value as JsMsg };
    next.head = await next.messages.next();
  }
}

/**
 * Rebuilds the inbox from the streams, in one transaction (readers see the old inbox until the
 * new one is whole; the live consumers wait on the table locks, then find every replayed event
 * processed): empties the inbox tables, replays the sources' streams from their start, merged in
 * the order their events were stored, and puts back what people marked read or
 * archived. Notifications no stream holds (an endpoint disabled) are not
 * rebuilt. Nothing is sent again: no webhook, email, SMS or push, and no live push. Each inbox
 * is renumbered, so a live stream should reconnect without a cursor. Unread counts are counted
 * again from the rows. Returns how many events were replayed.
 */
export async function rebuildInbox(options: RebuildInboxOptions): Promise<number> {
  return options.db.transaction(async (tx) => {
    const tables = [notifications, inboxCounters, knownHandles, processedEvents].map((table) => `"${getTableName(table)}"`);
    await tx.execute(sql.raw(`lock table ${tables.join(", ")} in exclusive mode`));
    await tx.execute(sql`
      create temporary table inbox_marks on commit drop as
      select event_id, recipient, type, read_at, archived_at from ${notifications}
      where read_at is not null or archived_at is not null`);
    await tx.delete(notifications);
    await tx.delete(inboxCounters);
    await tx.delete(knownHandles);
    const writer = createInboxWriter({ subject: () => "", channels: new Set(), announce: false });
    let replayed = 0;
    for (const source of INBOX_SOURCES) await tx.delete(processedEvents).where(eq(processedEvents.consumer, source.durable));
    const readers = INBOX_SOURCES.map((source) => ({
      source,
      messages: readStream(options, streamNameFor(options.subjectPrefix, source.context)),
    }));
    for await (const { source, msg } of merged(readers)) {
      const read = toReceivedEvent(msg);
      if (read.event === undefined) continue;
      const drafts = await source.notificationsFor(read.event, tx);
      await writer.write(tx, read.event.id, drafts, new Date(msg.info.timestampNanos / 1_000_000));
      await tx.insert(processedEvents).values({ consumer: source.durable, eventId: read.event.id }).onConflictDoNothing();
      replayed++;
    }
    await tx.execute(sql`
      update ${notifications} n set read_at = m.read_at, archived_at = m.archived_at
      from inbox_marks m where m.event_id = n.event_id and m.recipient = n.recipient and m.type = n.type`);
    await tx.execute(sql`
      update ${inboxCounters} c set unread = (
        select count(*) from ${notifications} n
        where n.recipient = c.recipient and n.read_at is null and n.archived_at is null)`);
    return replayed;
  });
}
