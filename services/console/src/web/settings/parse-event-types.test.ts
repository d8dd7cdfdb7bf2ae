import { describe, expect, it } from "vitest";
import { parseEventTypes } from "./parse-event-types.js";

describe("parseEventTypes", () => {
  it("splits on commas, spaces and new lines, once each, in the order typed", () => {
    expect(parseEventTypes(" transfer.received,transfer.failed\n transfer.received ,, ")).toEqual(["transfer.received", "transfer.failed"]);
  });

  it("is empty (every type) for blank text", () => {
    expect(parseEventTypes("  ")).toEqual([]);
  });
});
