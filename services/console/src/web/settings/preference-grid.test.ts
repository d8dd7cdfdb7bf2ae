import { create } from "@bufbuild/protobuf";
import { Category, Channel, PreferenceSchema } from "@paymesh/gen/paymesh/notifications/v1/notifications_pb";
import { describe, expect, it } from "vitest";
import { buildPreferenceGrid } from "./preference-grid.js";

const preference = (category: Category, channel: Channel, required = false) =>
  create(PreferenceSchema, { category, channel, enabled: true, required });

describe("buildPreferenceGrid", () => {
  it("lays the switches out as the service orders them, each named for a screen reader", () => {
    const grid = buildPreferenceGrid([
      preference(Category.PAYMENTS, Channel.INBOX),
      preference(Category.PAYMENTS, Channel.EMAIL),
      preference(Category.SECURITY, Channel.INBOX, true),
      preference(Category.SECURITY, Channel.EMAIL, true),
    ]);
    expect(grid.channels.map((column) => column.label)).toEqual(["Inbox", "Email"]);
    expect(grid.rows.map((row) => [row.label, row.required])).toEqual([
      ["Payments", false],
      ["Security", true],
    ]);
    expect(grid.rows[0]!.cells.map((cell) => cell?.label)).toEqual(["Payments in the inbox", "Payments by email"]);
    expect(grid.rows[1]!.cells.every((cell) => cell?.required)).toBe(true);
  });

  it("leaves a gap where the service sent no switch, and names values this build does not know", () => {
    const grid = buildPreferenceGrid([
      preference(Category.PAYMENTS, Channel.SMS),
      preference(9 as Category, Channel.PUSH),
      preference(Category.HANDLES, Channel.SMS),
    ]);
    expect(grid.rows.map((row) => row.label)).toEqual(["Payments", "#9", "Handles"]);
    expect(grid.rows[0]!.cells.map((cell) => cell?.label)).toEqual(["Payments by SMS", undefined]);
    expect(grid.rows[1]!.cells.map((cell) => cell?.label)).toEqual([undefined, "#9 by push"]);
  });

  it("calls a category required only when every one of its switches is", () => {
    const grid = buildPreferenceGrid([preference(Category.HANDLES, Channel.INBOX, true), preference(Category.HANDLES, Channel.EMAIL)]);
    expect(grid.rows[0]!.required).toBe(false);
  });
});
