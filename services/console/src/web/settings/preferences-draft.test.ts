import { create } from "@bufbuild/protobuf";
import { Category, Channel, PreferencesSchema } from "@paymesh/gen/paymesh/notifications/v1/notifications_pb";
import { describe, expect, it } from "vitest";
import { preferenceKey } from "./preference-grid.js";
import { changesOf, draftOf } from "./preferences-draft.js";

const saved = create(PreferencesSchema, {
  preferences: [
    { category: Category.PAYMENTS, channel: Channel.EMAIL, enabled: true },
    { category: Category.PAYMENTS, channel: Channel.SMS, enabled: false },
    { category: Category.SECURITY, channel: Channel.EMAIL, enabled: true, required: true },
  ],
  quietHours: { enabled: true, startMinute: 22 * 60, endMinute: 7 * 60 + 30, timeZone: "Europe/Paris" },
  contacts: { email: "alice@example.com", phone: "", pushToken: "" },
});

describe("draftOf", () => {
  it("shows minutes as clock times and keys every switch", () => {
    const draft = draftOf(saved);
    expect(draft.quietHours).toEqual({ enabled: true, start: "22:00", end: "07:30", timeZone: "Europe/Paris" });
    expect(draft.switches[preferenceKey(Category.PAYMENTS, Channel.SMS)]).toBe(false);
  });

  it("reads an answer without quiet hours or contacts as none", () => {
    const draft = draftOf(create(PreferencesSchema, {}));
    expect(draft.quietHours).toEqual({ enabled: false, start: "00:00", end: "00:00", timeZone: "" });
    expect(draft.contacts).toEqual({ email: "", phone: "", pushToken: "" });
  });
});

describe("changesOf", () => {
  it("is undefined when nothing differs", () => {
    expect(changesOf(saved, draftOf(saved))).toBeUndefined();
  });

  it("sends only the switches that changed, and leaves quiet hours and contacts out", () => {
    const draft = draftOf(saved);
    const changes = changesOf(saved, { ...draft, switches: { ...draft.switches, [preferenceKey(Category.PAYMENTS, Channel.SMS)]: true } });
    expect(changes).toEqual({
      preferences: [{ category: Category.PAYMENTS, channel: Channel.SMS, enabled: true }],
      quietHours: undefined,
      contacts: undefined,
    });
  });

  it("sends quiet hours in minutes and contacts tidied, each only when changed", () => {
    const draft = draftOf(saved);
    const changes = changesOf(saved, {
      ...draft,
      quietHours: { ...draft.quietHours, start: "23:15", timeZone: " America/New_York " },
      contacts: { ...draft.contacts, phone: "+1 (415) 555-0100" },
    });
    expect(changes?.preferences).toEqual([]);
    expect(changes?.quietHours).toEqual({ enabled: true, startMinute: 23 * 60 + 15, endMinute: 7 * 60 + 30, timeZone: "America/New_York" });
    expect(changes?.contacts).toEqual({ email: "alice@example.com", phone: "+14155550100", pushToken: "" });
  });

  it("refuses a cleared time while quiet hours are on, and keeps the saved one while they are off", () => {
    const draft = draftOf(saved);
    expect(() => changesOf(saved, { ...draft, quietHours: { ...draft.quietHours, end: "" } })).toThrow("Quiet hours need an end time");
    const off = changesOf(saved, { ...draft, quietHours: { ...draft.quietHours, enabled: false, end: "" } });
    expect(off?.quietHours).toEqual({ enabled: false, startMinute: 22 * 60, endMinute: 7 * 60 + 30, timeZone: "Europe/Paris" });
  });
});

describe("changesOf on a phone number", () => {
  it("refuses one that is not in international form, in words", () => {
    const draft = draftOf(saved);
    expect(() => changesOf(saved, { ...draft, contacts: { ...draft.contacts, phone: "0612345678" } })).toThrow(
      "Phone number: write it in international form",
    );
  });
});
