import { Code, ConnectError } from "@connectrpc/connect";
import type { DomainError, DomainErrorKind } from "./domain-error.js";

const CODES: Record<DomainErrorKind, Code> = {
  invalid_argument: Code.InvalidArgument,
  not_found: Code.NotFound,
  already_exists: Code.AlreadyExists,
  failed_precondition: Code.FailedPrecondition,
  permission_denied: Code.PermissionDenied,
  resource_exhausted: Code.ResourceExhausted,
  aborted: Code.Aborted,
  deadline_exceeded: Code.DeadlineExceeded,
  unavailable: Code.Unavailable,
};

/**
 * A domain error as it goes on the wire: its kind's code, its message, its metadata and its
 * typed details. The only mapping there is, shared by the error boundary and by batch APIs'
 * per-item results, so an item fails a batch exactly as it would fail a single call.
 */
export function toConnectError(error: DomainError): ConnectError {
  return new ConnectError(error.message, CODES[error.kind], new Headers(Object.entries(error.metadata)), [...error.details]);
}
