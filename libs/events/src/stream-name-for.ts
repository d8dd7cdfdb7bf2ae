import { assertSubjectToken } from "./assert-subject-token.js";
import { streamNamePrefixFor } from "./stream-name-prefix-for.js";

/**
 * The JetStream stream holding one context's events, e.g. `PAYMESH_LEDGER`, or `T_AB12_LEDGER`
 * under a test prefix. Upper case follows JetStream naming convention and sets stream names
 * apart from subjects in tooling output.
 */
export function streamNameFor(prefix: string, context: string): string {
  assertSubjectToken("context", context);
  return `${streamNamePrefixFor(prefix)}${context.toUpperCase()}`;
}
