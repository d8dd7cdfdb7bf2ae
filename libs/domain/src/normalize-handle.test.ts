import { DomainError } from "@paymesh/runtime";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HANDLE_PATTERN, normalizeHandle } from "./normalize-handle.js";

const handleChar = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-");
const typedHandle = fc
  .tuple(fc.boolean(), fc.array(handleChar, { minLength: 3, maxLength: 30 }))
  .map(([at, chars]) => `${at ? "@" : ""}${chars.join("")}`);

describe("normalizeHandle", () => {
  it("lower-cases and adds the @", () => {
    expect(normalizeHandle("Bob")).toBe("@bob");
    expect(normalizeHandle("@BOB")).toBe("@bob");
    expect(normalizeHandle("@bob.m-1_x")).toBe("@bob.m-1_x");
  });

  it.each(["", "@", "ab", "@ab", "@@bob", "bob!", "b ob", "a".repeat(31), "@bøb", "\u212Abob", "bob\n"])("refuses %j", (input) => {
    expect(() => normalizeHandle(input)).toThrow(DomainError);
    try {
      normalizeHandle(input);
    } catch (error) {
      expect((error as DomainError).kind).toBe("invalid_argument");
    }
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

  it("accepts exactly what the proto's validation pattern accepts (property)", () => {
    const proto = /^@?[A-Za-z0-9_.-]{3,30}$/;
    fc.assert(
      fc.property(fc.oneof(typedHandle, fc.string({ maxLength: 34 })), (input) => {
        let ok = true;
        try {
          normalizeHandle(input);
        } catch {
          ok = false;
        }
        expect(ok).toBe(proto.test(input));
      }),
      { numRuns: 2_000 },
    );
  });
});
