import { createHmac, randomBytes } from "node:crypto";

const PREFIX = "whsec_";

/** A new signing secret: `whsec_` and 24 random bytes in base64, as Standard Webhooks prescribes. */
export function newWebhookSecret(): string {
  return `${PREFIX}${randomBytes(24).toString("base64")}`;
}

/**
 * The `webhook-signature` value for one request: `v1,<base64 HMAC-SHA256 of id.timestamp.body>`
 * under each secret given (space-separated), so a receiver holding either verifies it.
 */
export function signWebhook(secrets: readonly string[], messageId: string, timestampSeconds: number, body: string): string {
  return secrets
    .map((secret) => {
      const key = Buffer.from(secret.slice(PREFIX.length), "base64");
      const digest = createHmac("sha256", key).update(`${messageId}.${timestampSeconds}.${body}`).digest("base64");
      return `v1,${digest}`;
    })
    .join(" ");
}
