import { type Channel, isHttpSuccess } from "./channel.js";
import { postJson } from "./post-json.js";
import type { ProviderConfig } from "./read-notifications-config.js";

export interface ProviderChannelOptions {
  name: "sms" | "push";
  provider: ProviderConfig;
  timeoutMs: number;
}

/**
 * SMS or push through an HTTP provider: `POST <url>` with `{id, to, title, text}` as JSON and
 * the provider's token as a bearer; 2xx is accepted. `id` stays the same on retries, so a
 * provider that de-duplicates by it sends a message once.
 */
export function createProviderChannel({ name, provider, timeoutMs }: ProviderChannelOptions): Channel {
  return {
    name,
    succeeded: isHttpSuccess,
    send(delivery) {
      const body = JSON.stringify({
        id: delivery.messageId,
        to: delivery.target,
        title: delivery.payload.title,
        text: delivery.payload.body,
      });
      const headers: Record<string, string> = provider.token === "" ? {} : { authorization: `Bearer ${provider.token}` };
      // The provider's address is the operator's setting, not a user's: the endpoint guard is for users' URLs.
      return postJson(new URL(provider.url), headers, body, { timeoutMs, allowPrivate: true });
    },
  };
}
