import { DomainError } from "@paymesh/runtime";

/**
 * Control codes other than white space (tabs and newlines just become spaces), and characters
 * that reorder text (bidi embeddings, overrides and isolates).
 */
const FORBIDDEN = /(?![\t\n\v\f\r])[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;
/** Any run of white space, including non-breaking and ideographic spaces. */
const SPACES = /[\s\p{Zs}]+/gu;

/**
 * A display name as stored: Unicode NFC, white space collapsed to single spaces and trimmed.
 * Refuses control and bidi-override characters (they would let a name display as something
 * else) and names with no letter or digit. Length is checked by the request's validation.
 */
export function cleanDisplayName(input: string): string {
  if (FORBIDDEN.test(input)) {
    throw new DomainError("invalid_argument", "display_name must not contain control or text-direction characters");
  }
  const name = input.normalize("NFC").replace(SPACES, " ").trim();
  if (!/[\p{L}\p{N}]/u.test(name)) {
    throw new DomainError("invalid_argument", "display_name must contain a letter or digit");
  }
  if ([...name].length > 100) {
    throw new DomainError("invalid_argument", "display_name must be at most 100 characters");
  }
  return name;
}
