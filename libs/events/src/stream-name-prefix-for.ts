import { assertSubjectToken } from "./assert-subject-token.js";

/**
 * The part every stream name under `prefix` starts with, e.g. `PAYMESH_`, so tooling (and test
 * cleanup) can find all streams of one prefix.
 */
export function streamNamePrefixFor(prefix: string): string {
  assertSubjectToken("subject prefix", prefix);
  return `${prefix.toUpperCase()}_`;
}
