import type { ReceivedEvent } from "@paymesh/events";
import type { InboxWriter } from "./create-inbox-writer.js";
import type { InboxSource } from "./inbox-source.js";
import type { NotificationsTransaction } from "./notifications-database.js";

/** The projection handler of one inbox source: the event's notifications written in the consumer's transaction. */
export function applyInboxEvent(source: InboxSource, writer: InboxWriter) {
  return async (event: ReceivedEvent, tx: NotificationsTransaction): Promise<void> => {
    await writer.write(tx, event.id, await source.notificationsFor(event, tx), new Date());
  };
}
