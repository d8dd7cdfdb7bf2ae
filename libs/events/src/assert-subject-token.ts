/**
 * One token of a subject we mint: letters, digits, `_` and `-`. NATS itself allows more, but
 * `.`, `*`, `>` and whitespace would change the subject's shape, and the same tokens also form
 * stream names, which forbid them.
 */
const SUBJECT_TOKEN = /^[A-Za-z0-9_-]+$/;

/** Throws unless `value` is a single well-formed subject token; `what` names it in the error. */
export function assertSubjectToken(what: string, value: string): void {
  if (!SUBJECT_TOKEN.test(value)) {
    throw new Error(`invalid ${what} ${JSON.stringify(value)}: use letters, digits, "_" or "-"`);
  }
}
