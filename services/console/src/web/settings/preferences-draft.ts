import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Preferences, UpdatePreferencesRequestSchema } from "@paymesh/gen/paymesh/notifications/v1/notifications_pb";
import { preferenceKey } from "./preference-grid.js";

/** Preferences as the form edits them: times as `<input type="time">` text. */
export interface PreferencesDraft {
  /** Whether each switch is on, by preferenceKey. */
  switches: Readonly<Record<string, boolean>>;
  quietHours: { enabled: boolean; start: string; end: string; timeZone: string };
  contacts: { email: string; phone: string; pushToken: string };
}

type PreferencesChanges = MessageInitShape<typeof UpdatePreferencesRequestSchema>;

const pad = (n: number) => n.toString().padStart(2, "0");
const toClockTime = (minute: number) => `${pad(Math.floor(minute / 60))}:${pad(minute % 60)}`;

/**
 * Minutes after midnight from the time input's text. While quiet hours are off the times do not
 * matter, so a cleared input keeps what was saved instead of blocking the rest of the form.
 */
function fromClockTime(text: string, saved: number, enabled: boolean, which: string): number {
  const match = /^(\d{1,2}):(\d{2})/.exec(text);
  const minute = match ? Number(match[1]) * 60 + Number(match[2]) : Number.NaN;
  if (minute >= 0 && minute < 1440) return minute;
  if (!enabled) return saved;
  throw new RangeError(`Quiet hours need ${which} time, such as 22:00.`);
}

export function draftOf(preferences: Preferences): PreferencesDraft {
  const quiet = preferences.quietHours;
  const contacts = preferences.contacts;
  return {
    switches: Object.fromEntries(preferences.preferences.map((p) => [preferenceKey(p.category, p.channel), p.enabled])),
    quietHours: {
      enabled: quiet?.enabled ?? false,
      start: toClockTime(quiet?.startMinute ?? 0),
      end: toClockTime(quiet?.endMinute ?? 0),
      timeZone: quiet?.timeZone ?? "",
    },
    contacts: { email: contacts?.email ?? "", phone: contacts?.phone ?? "", pushToken: contacts?.pushToken ?? "" },
  };
}

/**
 * The UpdatePreferences request that turns `saved` into `draft`, carrying only what differs:
 * another tab's changes to the rest are kept. Undefined when nothing differs. A time that is
 * not a time, or a phone number the service would refuse, throws a RangeError whose message is
 * for a person (the service's own refusal names a regular expression).
 */
export function changesOf(saved: Preferences, draft: PreferencesDraft): PreferencesChanges | undefined {
  const before = draftOf(saved);
  const switches = saved.preferences.flatMap((p) => {
    const enabled = draft.switches[preferenceKey(p.category, p.channel)];
    return enabled === undefined || enabled === p.enabled ? [] : [{ category: p.category, channel: p.channel, enabled }];
  });
  const quiet = { ...draft.quietHours, timeZone: draft.quietHours.timeZone.trim() };
  const quietChanged =
    quiet.enabled !== before.quietHours.enabled ||
    quiet.start !== before.quietHours.start ||
    quiet.end !== before.quietHours.end ||
    quiet.timeZone !== before.quietHours.timeZone;
  const contacts = {
    email: draft.contacts.email.trim(),
    phone: draft.contacts.phone.replace(/[\s()-]/g, ""),
    pushToken: draft.contacts.pushToken.trim(),
  };
  if (contacts.phone !== "" && !/^\+[1-9]\d{6,14}$/.test(contacts.phone)) {
    throw new RangeError("Phone number: write it in international form, a + and the country code first, e.g. +14155550100.");
  }
  const contactsChanged =
    contacts.email !== before.contacts.email ||
    contacts.phone !== before.contacts.phone ||
    contacts.pushToken !== before.contacts.pushToken;
  if (switches.length === 0 && !quietChanged && !contactsChanged) return undefined;
  return {
    preferences: switches,
    quietHours: quietChanged
      ? {
          enabled: quiet.enabled,
          startMinute: fromClockTime(quiet.start, saved.quietHours?.startMinute ?? 0, quiet.enabled, "a start"),
          endMinute: fromClockTime(quiet.end, saved.quietHours?.endMinute ?? 0, quiet.enabled, "an end"),
          timeZone: quiet.timeZone,
        }
      : undefined,
    contacts: contactsChanged ? contacts : undefined,
  };
}
