import { assertSubjectToken } from "./assert-subject-token.js";

/** The subject an event is published on: `<prefix>.<context>.<event>`, e.g. `paymesh.ledger.entry_posted`. */
export function subjectFor(prefix: string, context: string, event: string): string {
  assertSubjectToken("subject prefix", prefix);
  assertSubjectToken("context", context);
  assertSubjectToken("event name", event);
  return `${prefix}.${context}.${event}`;
}
