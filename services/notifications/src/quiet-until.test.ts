import { expect, it } from "vitest";
import { quietUntil } from "./quiet-until.js";

const at = (iso: string) => new Date(iso);
const hours = (start: number, end: number, timeZone = "") => ({
  quietEnabled: true,
  quietStartMinute: start * 60,
  quietEndMinute: end * 60,
  timeZone,
});

it("defers to the end of a window that runs over midnight", () => {
  expect(quietUntil(hours(22, 7), at("2026-03-01T23:30:10Z"))).toEqual(at("2026-03-02T07:00:00Z"));
  expect(quietUntil(hours(22, 7), at("2026-03-02T06:59:00Z"))).toEqual(at("2026-03-02T07:00:00Z"));
  expect(quietUntil(hours(22, 7), at("2026-03-02T07:00:00Z"))).toBeUndefined();
  expect(quietUntil(hours(22, 7), at("2026-03-02T12:00:00Z"))).toBeUndefined();
});

it("reads the window in the user's time zone", () => {
  // 13:30 UTC is 08:30 in New York (EST, UTC-5): inside 08:00 to 09:00 there.
  expect(quietUntil(hours(8, 9, "America/New_York"), at("2026-01-15T13:30:00Z"))).toEqual(at("2026-01-15T14:00:00Z"));
  expect(quietUntil(hours(8, 9), at("2026-01-15T13:30:00Z"))).toBeUndefined();
});

it("does nothing when off or empty", () => {
  expect(quietUntil({ ...hours(0, 23), quietEnabled: false }, at("2026-01-15T10:00:00Z"))).toBeUndefined();
  expect(quietUntil(hours(5, 5), at("2026-01-15T05:00:00Z"))).toBeUndefined();
  expect(quietUntil(undefined, at("2026-01-15T05:00:00Z"))).toBeUndefined();
});
