import { DomainError } from "@paymesh/runtime";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HANDLE_PATTERN, normalizeHandle } from "./normalize-handle.js";

const handleChar = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-");
const typedHandle = fc
  .tuple(fc.boolean(), fc.array(handleChar, { minLength: 3, maxLength: 30 }))
  .map(([at, chars]) => `${at ? "@" : ""}${chars.join("")}`);
/**
 * A character no handle may hold. Random code points seldom hit the ones that lower-case to
 * ASCII (Kelvin sign) or look like it, so those are drawn on purpose too.
 */
const foreignChar = fc.oneof(
  fc.constantFrom("@", " ", "\n", "\0", "!", "/", "ø", "\u212A", "\u0130", "\u017F", "\uFF41"),
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 }).filter((char) => !/^[A-Za-z0-9_.-]$/.test(char)),
);

/** The kind of DomainError `input` is refused with, or undefined when it is accepted. */
function refusalOf(input: string): string | undefined {
  try {
    normalizeHandle(input);
    return undefined;
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return error.kind;
  }
}

describe("normalizeHandle", () => {
  it("lower-cases and adds the @", () => {
    expect(normalizeHandle("Bob")).toBe("@bob");
    expect(normalizeHandle("@BOB")).toBe("@bob");
    expect(normalizeHandle("@bob.m-1_x")).toBe("@bob.m-1_x");
  });

  it.each(["", "@", "ab", "@ab", "@@bob", "bob!", "b ob", "a".repeat(31), "@bøb", "\u212Abob", "bob\n"])("refuses %j", (input) => {
    expect(refusalOf(input)).toBe("invalid_argument");
  });

  it("is idempotent, case-blind and indifferent to the @ (property)", () => {
    fc.assert(
      fc.property(typedHandle, (typed) => {
        const handle = normalizeHandle(typed);
        expect(handle).toMatch(HANDLE_PATTERN);
        expect(normalizeHandle(handle)).toBe(handle);
        expect(normalizeHandle(typed.toUpperCase())).toBe(handle);
        expect(normalizeHandle(typed.replace(/^@/, ""))).toBe(handle);
      }),
    );
  });

  it("gives every casing of a handle the same stored form (property)", () => {
    fc.assert(
      fc.property(typedHandle, fc.array(fc.boolean(), { minLength: 31, maxLength: 31 }), (typed, upper) => {
        const recased = [...typed].map((char, i) => (upper[i] ? char.toUpperCase() : char.toLowerCase())).join("");
        expect(normalizeHandle(recased)).toBe(normalizeHandle(typed));
      }),
    );
  });

  it("accepts 3 to 30 characters after the @, no fewer and no more (property)", () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(handleChar, { maxLength: 40 }), (at, chars) => {
        const input = `${at ? "@" : ""}${chars.join("")}`;
        expect(refusalOf(input)).toBe(chars.length >= 3 && chars.length <= 30 ? undefined : "invalid_argument");
      }),
    );
  });

  it("refuses a handle with any character outside a-z, A-Z, 0-9, _ . - after the @ (property)", () => {
    fc.assert(
      // Always with its @: a bare "bob" with an "@" put in front would be a valid "@bob".
      fc.property(fc.array(handleChar, { minLength: 3, maxLength: 29 }), foreignChar, fc.nat(), (chars, foreign, slot) => {
        const position = slot % (chars.length + 1);
        const input = `@${chars.slice(0, position).join("")}${foreign}${chars.slice(position).join("")}`;
        expect(refusalOf(input)).toBe("invalid_argument");
      }),
      { numRuns: 2_000 },
    );
  });

  it("accepts exactly what the proto's validation pattern accepts (property)", () => {
    const proto = /^@?[A-Za-z0-9_.-]{3,30}$/;
    fc.assert(
      fc.property(fc.oneof(typedHandle, fc.string({ maxLength: 34 })), (input) => {
        expect(refusalOf(input)).toBe(proto.test(input) ? undefined : "invalid_argument");
      }),
      { numRuns: 2_000 },
    );
  });
});
