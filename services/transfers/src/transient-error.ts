import { Code, ConnectError } from "@connectrpc/connect";
import { DomainError } from "@paymesh/runtime";

const TRANSIENT = new Set([Code.Unavailable, Code.DeadlineExceeded, Code.ResourceExhausted, Code.Aborted, Code.Canceled]);

/**
 * A failed call to another service as this service's own error: a passing condition
 * (unreachable, too slow, overloaded) becomes UNAVAILABLE, telling the caller to retry with
 * the same idempotency key; anything else is a fault here and stays unexpected (INTERNAL).
 */
export function transientError(error: unknown, what: string): unknown {
  const code = ConnectError.from(error).code;
  if (TRANSIENT.has(code)) return new DomainError("unavailable", `${what} cannot be reached just now; retry with the same idempotency key`);
  return error;
}
