import { VoteSupport } from "@paymesh/gen/paymesh/governance/v1/governance_pb";

/** A vote's choice as the ballot and the log show it. */
export const SUPPORT_NAMES: Record<VoteSupport, string> = {
  [VoteSupport.UNSPECIFIED]: "UNSPECIFIED",
  [VoteSupport.FOR]: "FOR",
  [VoteSupport.AGAINST]: "AGAINST",
  [VoteSupport.ABSTAIN]: "ABSTAIN",
};
