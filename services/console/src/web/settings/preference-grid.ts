import { Category, Channel, type Preference } from "@paymesh/gen/paymesh/notifications/v1/notifications_pb";

interface PreferenceCell {
  /** Its key in a draft's switches. */
  key: string;
  category: Category;
  channel: Channel;
  /** What a screen reader says for its checkbox, e.g. "Payments by email". */
  label: string;
  /** The service will not let it be switched off. */
  required: boolean;
}

interface PreferenceRow {
  category: Category;
  label: string;
  /** Every switch of the category is required. */
  required: boolean;
  /** One per column; undefined where the service sent no switch for that channel. */
  cells: (PreferenceCell | undefined)[];
}

export interface PreferenceGrid {
  channels: { channel: Channel; label: string }[];
  rows: PreferenceRow[];
}

const CATEGORY_LABEL: Partial<Record<Category, string>> = {
  [Category.PAYMENTS]: "Payments",
  [Category.HANDLES]: "Handles",
  [Category.GOVERNANCE]: "Governance",
  [Category.SECURITY]: "Security",
};

const CHANNEL_LABEL: Partial<Record<Channel, { heading: string; phrase: string }>> = {
  [Channel.INBOX]: { heading: "Inbox", phrase: "in the inbox" },
  [Channel.WEBHOOK]: { heading: "Webhooks", phrase: "by webhook" },
  [Channel.EMAIL]: { heading: "Email", phrase: "by email" },
  [Channel.SMS]: { heading: "SMS", phrase: "by SMS" },
  [Channel.PUSH]: { heading: "Push", phrase: "by push" },
};

export const preferenceKey = (category: Category, channel: Channel): string => `${category}:${channel}`;

/**
 * A value the console has no words for yet (the service added it after this build) still gets
 * a switch, named after its enum value, rather than disappearing from the page.
 */
function nameOf(names: Record<number, string>, value: number): string {
  const name = names[value];
  return name === undefined ? `#${value}` : name.charAt(0) + name.slice(1).toLowerCase().replaceAll("_", " ");
}

const categoryLabel = (category: Category) => CATEGORY_LABEL[category] ?? nameOf(Category, category);
const channelLabel = (channel: Channel) =>
  CHANNEL_LABEL[channel] ?? { heading: nameOf(Channel, channel), phrase: `by ${nameOf(Channel, channel)}` };

/**
 * The category × channel table from GetPreferences' switches, in the order the service lists
 * them, so a category or channel the service adds shows without a console change.
 */
export function buildPreferenceGrid(preferences: readonly Preference[]): PreferenceGrid {
  const categories = [...new Set(preferences.map((preference) => preference.category))];
  const channels = [...new Set(preferences.map((preference) => preference.channel))];
  const byKey = new Map(preferences.map((preference) => [preferenceKey(preference.category, preference.channel), preference]));
  return {
    channels: channels.map((channel) => ({ channel, label: channelLabel(channel).heading })),
    rows: categories.map((category) => {
      const cells = channels.map((channel): PreferenceCell | undefined => {
        const preference = byKey.get(preferenceKey(category, channel));
        if (preference === undefined) return undefined;
        return {
          key: preferenceKey(category, channel),
          category,
          channel,
          label: `${categoryLabel(category)} ${channelLabel(channel).phrase}`,
          required: preference.required,
        };
      });
      const present = cells.filter((cell) => cell !== undefined);
      return { category, label: categoryLabel(category), required: present.length > 0 && present.every((cell) => cell.required), cells };
    }),
  };
}
