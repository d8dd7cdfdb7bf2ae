import type { DecisionRule } from "@paymesh/gen/paymesh/governance/v1/governance_pb";

/** What a proposal must meet to pass, in words: the service's formula, with its basis points as percentages. */
export function describeRule(rule: DecisionRule | undefined): string {
  if (rule === undefined) return "—";
  return `more than ${percent(rule.thresholdBps)} of FOR + AGAINST votes FOR, with FOR + ABSTAIN from at least ${percent(rule.quorumBps)} of members`;
}

function percent(bps: number): string {
  return `${bps / 100}%`;
}
