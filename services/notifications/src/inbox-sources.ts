import { governanceSource } from "./governance-source.js";
import { handlesSource } from "./handles-source.js";
import type { InboxSource } from "./inbox-source.js";
import { transfersSource } from "./transfers-source.js";

/** Every stream the inbox is fed from. */
export const INBOX_SOURCES: readonly InboxSource[] = [transfersSource, handlesSource, governanceSource];

/** Every notification type the service writes: those of its sources, and its own about webhook endpoints. */
export const NOTIFICATION_TYPES: ReadonlySet<string> = new Set([
  ...INBOX_SOURCES.flatMap((source) => source.types),
  "webhook.endpoint_disabled",
]);
