import { describe, expect, it } from "vitest";
import { streamNameFor } from "./stream-name-for.js";
import { streamNamePrefixFor } from "./stream-name-prefix-for.js";

describe("streamNameFor", () => {
  it("names a context's stream from prefix and context", () => {
    expect(streamNameFor("paymesh", "ledger")).toBe("PAYMESH_LEDGER");
    expect(streamNameFor("t_ab12", "ledger")).toBe("T_AB12_LEDGER");
  });

  it("starts with the prefix's stream-name prefix, which cleanup relies on", () => {
    expect(streamNameFor("t_ab12", "handles").startsWith(streamNamePrefixFor("t_ab12"))).toBe(true);
  });

  it("refuses characters stream names forbid", () => {
    expect(() => streamNameFor("paymesh", "led.ger")).toThrow(/invalid context/);
    expect(() => streamNamePrefixFor("pay mesh")).toThrow(/invalid subject prefix/);
  });
});
