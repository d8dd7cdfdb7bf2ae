import { handlesSource } from "./handles-source.js";
import type { InboxSource } from "./inbox-source.js";
import { transfersSource } from "./transfers-source.js";

/** Every stream the inbox is fed from. */
export const INBOX_SOURCES: readonly InboxSource[] = [transfersSource, handlesSource];
