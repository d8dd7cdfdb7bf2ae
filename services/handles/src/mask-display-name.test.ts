import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cleanDisplayName } from "./clean-display-name.js";
import { maskDisplayName } from "./mask-display-name.js";

describe("maskDisplayName", () => {
  it.each([
    ["Bob Marley", "Bob M."],
    ["Madonna", "Madonna"],
    ["  Bob    Marley  ", "Bob M."],
    ["Maria da Silva Santos", "Maria S."],
    ["bob marley", "bob M."],
    ["Jean-Luc Picard", "Jean-Luc P."],
    ["Élodie Ängström", "Élodie Ä."],
    ["E\u0301lodie e\u0301tienne", "Élodie É."],
    ["José\u00A0Álvarez", "José Á."],
    ["Bob & Alice Marley", "Bob M."],
    ["Bob -", "Bob"],
    ["Sasha ßmith", "Sasha ß."],
    ["山田 太郎", "山田 太."],
    ["Ali (Ahmed)", "Ali A."],
    ["Bob M.", "Bob M."],
    ["", ""],
  ])("%j → %j", (name, masked) => {
    expect(maskDisplayName(name)).toBe(masked);
  });

  const word = fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }).filter((w) => !/[\s\p{Zs}]/u.test(w));
  const name = fc.array(word, { minLength: 1, maxLength: 6 }).map((words) => words.join(" "));

  it("never shows more than the first word and one initial, and is idempotent (property)", () => {
    fc.assert(
      fc.property(name, (displayName) => {
        const masked = maskDisplayName(displayName);
        expect(maskDisplayName(masked)).toBe(masked);
        const parts = masked.split(" ");
        expect(parts.length).toBeLessThanOrEqual(2);
        // The first word shown is one of the name's own words; nothing else is revealed but an initial + ".".
        if (masked !== "") expect(displayName.normalize("NFC").split(/[\s\p{Zs}]+/u)).toContain(parts[0]);
        if (parts.length === 2) {
          expect(parts[1]!.endsWith(".")).toBe(true);
          expect([...new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(parts[1]!.slice(0, -1))]).toHaveLength(1);
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it("hides the surname of any two-word name whose surname is longer than one letter (property)", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Z][a-z]{1,10}$/), fc.stringMatching(/^[A-Z][a-z]{2,12}$/), (first, last) => {
        const masked = maskDisplayName(`${first} ${last}`);
        expect(masked).toBe(`${first} ${last[0]}.`);
        expect(masked).not.toContain(last);
      }),
    );
  });
});

describe("cleanDisplayName", () => {
  it("normalises to NFC with single spaces", () => {
    expect(cleanDisplayName("  E\u0301lodie \t\u00A0 Martin ")).toBe("Élodie Martin");
  });
  it.each(["Bob\u0000", "Bob\u202EyelraM", "Bob\u2066x", "   ", "---", "\n"])("refuses %j", (input) => {
    expect(() => cleanDisplayName(input)).toThrow(/display_name/);
  });
  it("keeps joiners that scripts need (ZWNJ in Persian)", () => {
    expect(cleanDisplayName("می\u200Cخواهم")).toBe("می\u200Cخواهم");
  });
});
