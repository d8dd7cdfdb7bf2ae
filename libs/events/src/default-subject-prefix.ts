/** The first token of every production subject; tests pass a unique prefix instead so they never meet. */
export const DEFAULT_SUBJECT_PREFIX = "paymesh";
