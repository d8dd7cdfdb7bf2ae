import type { ReceivedEvent } from "@paymesh/events";
import type { NotificationDraft } from "./notification-draft.js";
import type { NotificationsTransaction } from "./notifications-database.js";

/**
 * One stream the inbox is fed from: which context, under which durable consumer, and who is told
 * what for each of its events. Adding a stream is one such object (e.g. `governance-source.ts`)
 * and its entry in INBOX_SOURCES; the writing, counting, pushing and delivering are shared.
 */
export interface InboxSource {
  /** The context whose stream it consumes, e.g. `transfers`. */
  context: string;
  /** Its durable consumer, shared by every instance; also its name in processed_events. */
  durable: string;
  /** The notification types it writes (what webhook endpoints may subscribe to). */
  types: readonly string[];
  /**
   * The notifications one event calls for; none for events of no interest. Runs in the
   * transaction that writes them, so it may also keep state of its own (e.g. known handles).
   */
  notificationsFor(event: ReceivedEvent, tx: NotificationsTransaction): Promise<NotificationDraft[]>;
}
