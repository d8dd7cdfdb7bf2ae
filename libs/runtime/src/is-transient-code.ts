import { Code } from "@connectrpc/connect";

/**
 * The codes that mean "not now" rather than "no": the callee did not act, or was cut off and
 * may still act, so the same request sent again later is the right response. Requests that
 * change anything carry an idempotency key (an entry id, a transfer's key), which makes a
 * second arrival of a request that did act harmless.
 * - UNAVAILABLE: the callee was not listening, was restarting, or shed the call before acting.
 * - DEADLINE_EXCEEDED: too slow; the callee may have acted or may still act, and only the
 *   same request again can tell.
 * - RESOURCE_EXHAUSTED: overloaded or over a rate limit; refused before acting.
 * - ABORTED: lost a concurrency conflict; refused before acting.
 * - CANCELED: the call was cut off (a draining peer resetting its streams, or our own caller
 *   leaving); the callee may have acted.
 * Every other code is an answer (INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, ...) the
 * caller must act on, or a fault (INTERNAL, UNKNOWN, UNAUTHENTICATED, UNIMPLEMENTED, DATA_LOSS)
 * that asking again does not fix and that must surface rather than pass as a passing condition.
 */
const TRANSIENT: ReadonlySet<Code> = new Set([
  Code.Unavailable,
  Code.DeadlineExceeded,
  Code.ResourceExhausted,
  Code.Aborted,
  Code.Canceled,
]);

/** Whether a call that failed with `code` should be tried again later, as the same request. */
export function isTransientCode(code: Code): boolean {
  return TRANSIENT.has(code);
}
