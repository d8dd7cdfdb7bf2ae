import type { ReceivedEvent } from "@paymesh/events";
import type { InboxSource } from "./inbox-source.js";
import type { NotificationsTransaction } from "./notifications-database.js";
import { writeInbox } from "./write-inbox.js";

/** The projection handler of one inbox source: the event's notifications written in the consumer's transaction. */
export function applyInboxEvent(source: InboxSource, subject: (event: string) => string) {
  return async (event: ReceivedEvent, tx: NotificationsTransaction): Promise<void> => {
    await writeInbox(tx, event.id, await source.notificationsFor(event, tx), subject, new Date());
  };
}
