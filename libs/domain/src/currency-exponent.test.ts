import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { currencyExponent } from "./currency-exponent.js";

const RUNTIME_CODES = Intl.supportedValuesOf("currency");

describe("currencyExponent", () => {
  it.each([
    ["USD", 2],
    ["EUR", 2],
    ["GBP", 2],
    ["JPY", 0],
    ["KRW", 0],
    ["XOF", 0],
    ["BHD", 3],
    ["KWD", 3],
    ["TND", 3],
    ["OMR", 3],
  ])("gives %s %i", (code, exponent) => {
    expect(currencyExponent(code)).toBe(exponent);
  });

  // ICU formats these without decimals; ISO 4217 (and so the ledger) counts them in hundredths.
  it.each(["IDR", "HUF", "COP"])("gives %s ISO's 2, not ICU's display digits", (code) => {
    expect(currencyExponent(code)).toBe(2);
  });

  it.each(["ZZZ", "usd", "Usd", "US", "USDX", "", " USD", "XAU", "XDR", "XTS", "XXX"])("refuses %j", (code) => {
    expect(currencyExponent(code)).toBeUndefined();
  });

  it("gives each code the runtime knows 0, 2, 3 or 4, refusing only ISO's X codes without minor units (property)", () => {
    fc.assert(
      fc.property(fc.constantFrom(...RUNTIME_CODES), (code) => {
        const exponent = currencyExponent(code);
        if (exponent === undefined) expect(code).toMatch(/^X/);
        else expect([0, 2, 3, 4]).toContain(exponent);
      }),
    );
  });

  it("refuses every three-letter code the runtime does not know (property)", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Z]{3}$/).filter((code) => !RUNTIME_CODES.includes(code)),
        (code) => {
          expect(currencyExponent(code)).toBeUndefined();
        },
      ),
    );
  });

  it("takes codes only in ISO's upper case (property)", () => {
    fc.assert(
      fc.property(fc.constantFrom(...RUNTIME_CODES), fc.integer({ min: 1, max: 7 }), (code, lowered) => {
        // A bit set in `lowered` lower-cases that letter: every casing but the all-upper one.
        const recased = [...code].map((letter, i) => (lowered & (1 << i) ? letter.toLowerCase() : letter)).join("");
        expect(currencyExponent(recased)).toBeUndefined();
      }),
    );
  });

  it("refuses any other string (property)", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 8 }).filter((input) => !RUNTIME_CODES.includes(input)),
        (input) => {
          expect(currencyExponent(input)).toBeUndefined();
        },
      ),
    );
  });
});
