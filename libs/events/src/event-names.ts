/**
 * How events are named on NATS, in one place: the subjects events are published on and the
 * JetStream streams that capture them. Every name is built from tokens checked here, so no
 * caller can mint a subject a stream would not capture.
 */

/** The first token of every production subject; tests pass a unique prefix instead so they never meet. */
export const DEFAULT_SUBJECT_PREFIX = "paymesh";

/**
 * One token of a subject we mint: letters, digits, `_` and `-`. NATS itself allows more, but
 * `.`, `*`, `>` and whitespace would change the subject's shape, and the same tokens also form
 * stream names, which forbid them.
 */
const SUBJECT_TOKEN = /^[A-Za-z0-9_-]+$/;

/** Throws unless `value` is a single well-formed subject token; `what` names it in the error. */
function assertSubjectToken(what: string, value: string): void {
  if (!SUBJECT_TOKEN.test(value)) {
    throw new Error(`invalid ${what} ${JSON.stringify(value)}: use letters, digits, "_" or "-"`);
  }
}

/** The subject an event is published on: `<prefix>.<context>.<event>`, e.g. `paymesh.ledger.entry_posted`. */
export function subjectFor(prefix: string, context: string, event: string): string {
  assertSubjectToken("subject prefix", prefix);
  assertSubjectToken("context", context);
  assertSubjectToken("event name", event);
  return `${prefix}.${context}.${event}`;
}

/** The subject filter a context's stream captures: every event of that context, `<prefix>.<context>.>`. */
export function streamSubjectFor(prefix: string, context: string): string {
  assertSubjectToken("subject prefix", prefix);
  assertSubjectToken("context", context);
  return `${prefix}.${context}.>`;
}

/**
 * The part every stream name under `prefix` starts with, e.g. `PAYMESH_`, so tooling (and test
 * cleanup) can find all streams of one prefix.
 */
export function streamNamePrefixFor(prefix: string): string {
  assertSubjectToken("subject prefix", prefix);
  return `${prefix.toUpperCase()}_`;
}

/**
 * The JetStream stream holding one context's events, e.g. `PAYMESH_LEDGER`, or `T_AB12_LEDGER`
 * under a test prefix. Upper case follows JetStream naming convention and sets stream names
 * apart from subjects in tooling output.
 */
export function streamNameFor(prefix: string, context: string): string {
  assertSubjectToken("context", context);
  return `${streamNamePrefixFor(prefix)}${context.toUpperCase()}`;
}
