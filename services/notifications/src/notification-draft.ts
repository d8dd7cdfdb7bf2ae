import type { CategoryName } from "./schema.js";

/** A notification an event calls for, before it is written to its recipient's inbox. */
export interface NotificationDraft {
  /** The recipient's subject. */
  recipient: string;
  /** What happened, e.g. `transfer.completed`; also the webhook event type. */
  type: string;
  category: CategoryName;
  title: string;
  body: string;
  /** What it is about: a transfer id, a handle. */
  resource: string;
  /** Delivered whatever the recipient's switches, and never deferred by quiet hours. */
  required: boolean;
}
