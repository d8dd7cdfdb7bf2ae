import type { ErrorDetail } from "./error-detail.js";

/**
 * The kinds of failure domain code may report. Each maps to exactly one Connect code in
 * the error interceptor, so handlers never choose wire codes themselves.
 */
export type DomainErrorKind =
  | "invalid_argument"
  | "not_found"
  | "already_exists"
  | "failed_precondition"
  | "permission_denied"
  | "resource_exhausted"
  | "aborted"
  | "deadline_exceeded"
  | "unavailable";

/**
 * A failure the caller can act on. The message goes to the caller verbatim, so it must
 * say what was wrong in the caller's terms and never carry SQL or internal state. It is for
 * people and may be reworded at any time: whatever a calling service must decide by goes in
 * `details`.
 */
export class DomainError extends Error {
  override readonly name = "DomainError";

  constructor(
    readonly kind: DomainErrorKind,
    message: string,
    /** Structured facts for the caller, sent as response metadata (e.g. `retry-after-ms`). */
    readonly metadata: Readonly<Record<string, string>> = {},
    /** Typed facts for the caller's code, sent as error details (see `errorDetail`). Default none. */
    readonly details: readonly ErrorDetail[] = [],
  ) {
    super(message);
  }
}
