import type { CategoryName, ChannelName } from "./schema.js";

/**
 * What a channel does for a category nobody switched: the inbox, webhooks (only for users who
 * registered an endpoint), email and push are on; SMS, which costs per message, is off.
 */
export const CHANNEL_DEFAULTS: Readonly<Record<ChannelName, boolean>> = {
  inbox: true,
  webhook: true,
  email: true,
  sms: false,
  push: true,
};

/** Categories that cannot be switched off on any channel: a person must hear about their account's security. */
export const REQUIRED_CATEGORIES: ReadonlySet<CategoryName> = new Set(["security"]);

/** Channels quiet hours hold back (they make a sound); the inbox and webhooks are silent. */
export const NOISY_CHANNELS: ReadonlySet<ChannelName> = new Set(["email", "sms", "push"]);

/** Whether a switch may be set to `enabled`. */
export const mayDisable = (category: CategoryName): boolean => !REQUIRED_CATEGORIES.has(category);

/**
 * Whether a notification goes through `channel`: a required notification or category always
 * does; otherwise the user's switch, or the channel's default.
 */
export function channelEnabled(
  switches: ReadonlyMap<string, boolean>,
  category: CategoryName,
  channel: ChannelName,
  required: boolean,
): boolean {
  if (required || REQUIRED_CATEGORIES.has(category)) return true;
  return switches.get(`${category}:${channel}`) ?? CHANNEL_DEFAULTS[channel];
}
