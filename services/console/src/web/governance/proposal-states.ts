import { ProposalState } from "@paymesh/gen/paymesh/governance/v1/governance_pb";

/** Each state as a person reads it, in the order a proposal moves through them. */
export const STATE_LABELS: Record<ProposalState, string> = {
  [ProposalState.UNSPECIFIED]: "Unknown",
  [ProposalState.PENDING]: "Pending",
  [ProposalState.ACTIVE]: "Active",
  [ProposalState.SUCCEEDED]: "Succeeded",
  [ProposalState.QUEUED]: "Queued",
  [ProposalState.EXECUTED]: "Executed",
  [ProposalState.DEFEATED]: "Defeated",
  [ProposalState.FAILED]: "Failed",
  [ProposalState.EXPIRED]: "Expired",
  [ProposalState.CANCELED]: "Canceled",
};

/** How far along a state is: a proposal only ever moves to a higher rank. PENDING and ACTIVE are one stored state. */
export function stateRank(state: ProposalState): number {
  switch (state) {
    case ProposalState.PENDING:
    case ProposalState.ACTIVE:
      return 1;
    case ProposalState.SUCCEEDED:
    case ProposalState.DEFEATED:
      return 2;
    case ProposalState.QUEUED:
      return 3;
    case ProposalState.EXECUTED:
    case ProposalState.FAILED:
    case ProposalState.EXPIRED:
    case ProposalState.CANCELED:
      return 4;
    default:
      return 0;
  }
}

/** Not yet executed, failed, expired, defeated or canceled: its state can still change. */
export function isInFlight(state: ProposalState): boolean {
  return (
    state === ProposalState.PENDING || state === ProposalState.ACTIVE || state === ProposalState.SUCCEEDED || state === ProposalState.QUEUED
  );
}
