import type { PostOutcome } from "./post-json.js";
import type { ChannelName, deliveries } from "./schema.js";

/** A delivery as the worker claimed it. */
export type DeliveryRow = typeof deliveries.$inferSelect;

/** What one attempt came to; `statusCode` 0 means no answer. */
export type SendOutcome = PostOutcome;

/**
 * One way out of the service: webhooks, email, SMS, push. A channel makes one attempt per
 * call and says how it went; the delivery worker owns retries, schedules and records.
 */
export interface Channel {
  readonly name: ChannelName;
  /** Whether the outcome counts as delivered. */
  succeeded(outcome: SendOutcome): boolean;
  send(delivery: DeliveryRow): Promise<SendOutcome>;
}

/** 2xx is success; anything else a failure. */
export const isHttpSuccess = (outcome: SendOutcome): boolean => outcome.statusCode >= 200 && outcome.statusCode < 300;
