/** What a proposal must meet, in basis points (see DecisionRule in the proto). */
export interface Rule {
  quorumBps: number;
  thresholdBps: number;
}

/** Votes so far, and how many members may vote. */
export interface Counts {
  for: number;
  against: number;
  abstain: number;
  eligible: number;
}

export type Outcome = "succeeded" | "defeated";

/**
 * Whether the votes pass: quorum counts FOR + ABSTAIN against the frozen eligible set, and FOR
 * must be above the threshold share of FOR + AGAINST (all ABSTAIN passes nothing).
 */
export function passes(counts: Counts, rule: Rule): boolean {
  const quorum = (counts.for + counts.abstain) * 10_000 >= rule.quorumBps * counts.eligible;
  const decisive = counts.for + counts.against;
  return quorum && decisive > 0 && counts.for * 10_000 > rule.thresholdBps * decisive;
}

/** The outcome when voting ends with these votes. */
export function outcomeAtClose(counts: Counts, rule: Rule): Outcome {
  return passes(counts, rule) ? "succeeded" : "defeated";
}

/**
 * Aragon's early execution test: the outcome, if no way the members who have not voted yet
 * could vote would change it; undefined while it is still open. The worst case for passing is
 * every remaining member voting AGAINST (no quorum, less approval), the best is all FOR.
 */
export function decidedEarly(counts: Counts, rule: Rule): Outcome | undefined {
  const remaining = counts.eligible - counts.for - counts.against - counts.abstain;
  if (passes({ ...counts, against: counts.against + remaining }, rule)) return "succeeded";
  if (!passes({ ...counts, for: counts.for + remaining }, rule)) return "defeated";
  return undefined;
}
