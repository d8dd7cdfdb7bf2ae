import { DomainError } from "@paymesh/runtime";

/** What a stored handle looks like: `@` + 3 to 30 of `[a-z0-9_.-]`. */
export const HANDLE_PATTERN = /^@[a-z0-9_.-]{3,30}$/;

/**
 * A handle as typed ("@Bob", "bob", "BOB") in its one stored form ("@bob"): the `@` is
 * optional on input and case does not matter. Anything else is INVALID_ARGUMENT.
 */
export function normalizeHandle(input: string): string {
  const bare = input.startsWith("@") ? input.slice(1) : input;
  const handle = `@${bare.toLowerCase()}`;
  // Only ASCII letters fold: the check runs after lower-casing, so "K" (Kelvin sign) and
  // other characters whose lower case is ASCII are refused rather than silently folded.
  if (!HANDLE_PATTERN.test(handle) || !/^[A-Za-z0-9_.-]*$/.test(bare)) {
    throw new DomainError("invalid_argument", `handle ${JSON.stringify(input)} must be "@" and 3 to 30 of a-z, 0-9, "_", "." or "-"`);
  }
  return handle;
}
