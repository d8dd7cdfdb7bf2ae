import { eq } from "drizzle-orm";
import { type Channel, isHttpSuccess } from "./channel.js";
import type { NotificationsDatabase } from "./notifications-database.js";
import { postJson } from "./post-json.js";
import { webhookEndpoints } from "./schema.js";
import { signWebhook } from "./webhook-signature.js";

export interface WebhookChannelOptions {
  db: NotificationsDatabase;
  timeoutMs: number;
  allowPrivate: boolean;
}

/**
 * Webhooks in the Standard Webhooks wire format: a JSON body `{type, timestamp, data}` and the
 * headers `webhook-id` (the same on every attempt), `webhook-timestamp` (this attempt's, in
 * seconds) and `webhook-signature` (under the current secret and, while a rotation overlaps, the
 * previous one too).
 */
export function createWebhookChannel({ db, timeoutMs, allowPrivate }: WebhookChannelOptions): Channel {
  return {
    name: "webhook",
    succeeded: isHttpSuccess,
    async send(delivery) {
      const [endpoint] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, delivery.endpointId!));
      if (endpoint === undefined) return { statusCode: 0, latencyMs: 0, error: "the endpoint was deleted" };
      const now = new Date();
      const secrets = [endpoint.secret];
      if (endpoint.previousSecret !== null && endpoint.previousSecretExpiresAt !== null && endpoint.previousSecretExpiresAt > now) {
        secrets.push(endpoint.previousSecret);
      }
      const timestamp = Math.floor(now.getTime() / 1000);
      const body = JSON.stringify({ type: delivery.eventType, timestamp: now.toISOString(), data: delivery.payload });
      return postJson(
        new URL(endpoint.url),
        {
          "webhook-id": delivery.messageId,
          "webhook-timestamp": String(timestamp),
          "webhook-signature": signWebhook(secrets, delivery.messageId, timestamp, body),
          "user-agent": "paymesh-webhooks/1",
        },
        body,
        { timeoutMs, allowPrivate },
      );
    },
  };
}
