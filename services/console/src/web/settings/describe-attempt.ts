import type { WebhookAttempt } from "@paymesh/gen/paymesh/notifications/v1/notifications_pb";

/** Whether the receiver accepted the request: any 2xx, as Standard Webhooks counts it. */
export const accepted = (attempt: WebhookAttempt): boolean => attempt.statusCode >= 200 && attempt.statusCode < 300;

/** One request of a delivery for a person, e.g. "HTTP 500 in 12 ms: …" or "no answer: timed out". */
export function describeAttempt(attempt: WebhookAttempt): string {
  const answer = attempt.statusCode === 0 ? "no answer" : `HTTP ${attempt.statusCode} in ${attempt.latencyMs} ms`;
  return attempt.error === "" ? answer : `${answer}: ${attempt.error}`;
}
