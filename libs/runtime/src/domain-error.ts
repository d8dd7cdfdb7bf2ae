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
 * say what was wrong in the caller's terms and never carry SQL or internal state.
 */
export class DomainError extends Error {
  override readonly name = "DomainError";

  constructor(
    readonly kind: DomainErrorKind,
    message: string,
    /** Structured facts for the caller, sent as response metadata (e.g. `retry-after-ms`). */
    readonly metadata: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}
