import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatMinor } from "./format-minor.js";
import { parseMinor } from "./parse-minor.js";

describe("parseMinor", () => {
  it("reads what people type into minor units", () => {
    expect(parseMinor("5", "USD")).toBe(500n);
    expect(parseMinor("5.5", "USD")).toBe(550n);
    expect(parseMinor(" 5.00 ", "USD")).toBe(500n);
    expect(parseMinor("1,234.56", "USD")).toBe(123_456n);
    expect(parseMinor("0.001", "KWD")).toBe(1n);
    expect(parseMinor("1500", "JPY")).toBe(1_500n);
    expect(parseMinor("92233720368547758.07", "USD")).toBe(9_223_372_036_854_775_807n);
  });

  it("refuses what is not an amount, saying what to type", () => {
    expect(() => parseMinor("5.001", "USD")).toThrow("USD has 2 decimal places at most");
    expect(() => parseMinor("5.5", "JPY")).toThrow("JPY has no minor units");
    for (const bad of ["", "-5", "1e3", "5,00", "five", "5..0", "1,23,456"]) {
      expect(() => parseMinor(bad, "USD"), bad).toThrow(RangeError);
    }
    expect(() => parseMinor("5", "ABC")).toThrow("ABC is not a currency we know");
  });

  it("reads back every amount formatMinor writes, exactly (property)", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }), fc.constantFrom("USD", "JPY", "KWD", "BHD"), (amount, currency) => {
        const written = formatMinor(amount, currency).replace(` ${currency}`, "");
        expect(parseMinor(written, currency)).toBe(amount);
      }),
    );
  });
});
