import { DeliveryStatus, type WebhookDelivery } from "@paymesh/gen/paymesh/notifications/v1/notifications_pb";
import { accepted, describeAttempt } from "./describe-attempt.js";

export interface RedeliveryOutcome {
  /** `sending` until the first attempt after the redelivery is recorded. */
  state: "sending" | "delivered" | "failed";
  text: string;
}

/**
 * What became of a redelivery, judged by the attempts made after it: `attemptsBefore` is how many
 * the delivery had when RedeliverWebhook answered (counting attempts, not comparing times, keeps
 * the browser's clock out of it).
 */
export function redeliveryOutcome(delivery: WebhookDelivery, attemptsBefore: number): RedeliveryOutcome {
  const latest = delivery.attempts.length > attemptsBefore ? delivery.attempts.at(-1) : undefined;
  if (latest === undefined) {
    return delivery.status === DeliveryStatus.FAILED
      ? { state: "failed", text: "Not sent again: the delivery was stopped (the endpoint may have been disabled)." }
      : { state: "sending", text: "Sending again…" };
  }
  if (accepted(latest)) return { state: "delivered", text: `Delivered: ${describeAttempt(latest)}.` };
  const retry = delivery.status === DeliveryStatus.PENDING ? " It will be tried again." : "";
  return { state: "failed", text: `Failed again: ${describeAttempt(latest)}.${retry}` };
}
