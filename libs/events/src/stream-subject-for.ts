import { assertSubjectToken } from "./assert-subject-token.js";

/** The subject filter a context's stream captures: every event of that context, `<prefix>.<context>.>`. */
export function streamSubjectFor(prefix: string, context: string): string {
  assertSubjectToken("subject prefix", prefix);
  assertSubjectToken("context", context);
  return `${prefix}.${context}.>`;
}
