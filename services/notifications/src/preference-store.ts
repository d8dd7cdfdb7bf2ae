import { create } from "@bufbuild/protobuf";
import {
  type Category,
  Channel,
  ContactsSchema,
  type Preference,
  PreferenceSchema,
  type Preferences,
  PreferencesSchema,
  QuietHoursSchema,
  type UpdatePreferencesRequest,
} from "@paymesh/gen/paymesh/notifications/v1/notifications_pb";
import { DomainError } from "@paymesh/runtime";
import { eq } from "drizzle-orm";
import { CHANNEL_DEFAULTS, mayDisable, REQUIRED_CATEGORIES } from "./channel-policy.js";
import type { NotificationsDatabase } from "./notifications-database.js";
import { CATEGORIES, type CategoryName, CHANNELS, type ChannelName, preferences, userSettings } from "./schema.js";
import { CATEGORY } from "./to-proto.js";

const CHANNEL: Record<ChannelName, Channel> = {
  inbox: Channel.INBOX,
  webhook: Channel.WEBHOOK,
  email: Channel.EMAIL,
  sms: Channel.SMS,
  push: Channel.PUSH,
};

const categoryName = (category: Category) => CATEGORIES.find((name) => CATEGORY[name] === category)!;
const channelName = (channel: Channel) => CHANNELS.find((name) => CHANNEL[name] === channel)!;

/** Whether `zone` is an IANA time zone this runtime knows. */
function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** `subject`'s preferences: every category × channel switch (defaults where unset), quiet hours and contacts. */
export async function readPreferences(db: NotificationsDatabase, subject: string): Promise<Preferences> {
  const [rows, [settings]] = await Promise.all([
    db.select().from(preferences).where(eq(preferences.subject, subject)),
    db.select().from(userSettings).where(eq(userSettings.subject, subject)),
  ]);
  const set = new Map(rows.map((row) => [`${row.category}:${row.channel}`, row.enabled]));
  const switches: Preference[] = [];
  for (const category of CATEGORIES) {
    for (const channel of CHANNELS) {
      const required = REQUIRED_CATEGORIES.has(category);
      switches.push(
        create(PreferenceSchema, {
          category: CATEGORY[category],
          channel: CHANNEL[channel],
          enabled: required || (set.get(`${category}:${channel}`) ?? CHANNEL_DEFAULTS[channel]),
          required,
        }),
      );
    }
  }
  return create(PreferencesSchema, {
    preferences: switches,
    quietHours: create(QuietHoursSchema, {
      enabled: settings?.quietEnabled ?? false,
      startMinute: settings?.quietStartMinute ?? 0,
      endMinute: settings?.quietEndMinute ?? 0,
      timeZone: settings?.timeZone ?? "",
    }),
    contacts: create(ContactsSchema, { email: settings?.email ?? "", phone: settings?.phone ?? "", pushToken: settings?.pushToken ?? "" }),
  });
}

/**
 * Applies an UpdatePreferences request, all of it or (on any refusal) nothing: switching off a
 * required category is FAILED_PRECONDITION; an unknown time zone or an email address without an
 * `@` is INVALID_ARGUMENT.
 */
export async function updatePreferences(db: NotificationsDatabase, subject: string, req: UpdatePreferencesRequest): Promise<void> {
  for (const change of req.preferences) {
    const category: CategoryName = categoryName(change.category);
    if (!change.enabled && !mayDisable(category)) {
      throw new DomainError(
        "failed_precondition",
        `${category} notifications are required and cannot be switched off (channel ${channelName(change.channel)})`,
      );
    }
  }
  const zone = req.quietHours?.timeZone ?? "";
  if (zone !== "" && !isTimeZone(zone)) throw new DomainError("invalid_argument", `quiet_hours.time_zone: unknown time zone "${zone}"`);
  const email = req.contacts?.email ?? "";
  if (email !== "" && !/^[^\s@]+@[^\s@]+$/.test(email)) {
    throw new DomainError("invalid_argument", `contacts.email: "${email}" is not an email address`);
  }
  const now = new Date();
  await db.transaction(async (tx) => {
    for (const change of req.preferences) {
      const values = {
        category: categoryName(change.category),
        channel: channelName(change.channel),
        enabled: change.enabled,
        updatedAt: now,
      };
      await tx
        .insert(preferences)
        .values({ subject, ...values })
        .onConflictDoUpdate({ target: [preferences.subject, preferences.category, preferences.channel], set: values });
    }
    const settings = {
      ...(req.quietHours === undefined
        ? {}
        : {
            quietEnabled: req.quietHours.enabled,
            quietStartMinute: req.quietHours.startMinute,
            quietEndMinute: req.quietHours.endMinute,
            timeZone: req.quietHours.timeZone,
          }),
      ...(req.contacts === undefined ? {} : { email: req.contacts.email, phone: req.contacts.phone, pushToken: req.contacts.pushToken }),
    };
    if (Object.keys(settings).length > 0) {
      await tx
        .insert(userSettings)
        .values({ subject, ...settings, updatedAt: now })
        .onConflictDoUpdate({ target: userSettings.subject, set: { ...settings, updatedAt: now } });
    }
  });
}
