import { ConnectError } from "@connectrpc/connect";
import { DomainError } from "./domain-error.js";
import { isTransientCode } from "./is-transient-code.js";

/**
 * A failed call to another service as this service's own error. A transient failure (see
 * isTransientCode) becomes UNAVAILABLE saying that `what` (e.g. "the ledger") cannot be reached,
 * so our caller retries the same request; a `retry-after-ms` the callee asked for is passed on.
 * Anything else is returned as it was: an answer the calling code handles itself, or a fault
 * that stays unexpected (INTERNAL at the error boundary).
 */
export function transientError(error: unknown, what: string): unknown {
  const failure = ConnectError.from(error);
  if (!isTransientCode(failure.code)) return error;
  const retryAfterMs = failure.metadata.get("retry-after-ms");
  return new DomainError(
    "unavailable",
    `${what} cannot be reached just now; retry the same request shortly`,
    retryAfterMs === null ? {} : { "retry-after-ms": retryAfterMs },
  );
}
