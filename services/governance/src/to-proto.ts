import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  DecisionRuleSchema,
  type Proposal,
  ProposalSchema,
  ProposalState,
  TallySchema,
  type Vote,
  VoteSchema,
  VoteSupport,
} from "@paymesh/gen/paymesh/governance/v1/governance_pb";
import type { ProposalRow, VoteRow } from "./governance-database.js";
import type { ProposalStateName, SupportName } from "./schema.js";

const STATES: Record<Exclude<ProposalStateName, "open">, ProposalState> = {
  succeeded: ProposalState.SUCCEEDED,
  defeated: ProposalState.DEFEATED,
  queued: ProposalState.QUEUED,
  executed: ProposalState.EXECUTED,
  failed: ProposalState.FAILED,
  expired: ProposalState.EXPIRED,
  canceled: ProposalState.CANCELED,
};

/** The state a caller sees: an open proposal is PENDING before its vote starts, ACTIVE from then. */
export function stateOf(row: Pick<ProposalRow, "state" | "voteStart">, now: Date): ProposalState {
  if (row.state === "open") return now < row.voteStart ? ProposalState.PENDING : ProposalState.ACTIVE;
  return STATES[row.state];
}

/** The stored state of a state a caller names; PENDING and ACTIVE are both `open`. */
export function storedStateOf(state: ProposalState): ProposalStateName | undefined {
  if (state === ProposalState.PENDING || state === ProposalState.ACTIVE) return "open";
  return (Object.keys(STATES) as Array<keyof typeof STATES>).find((name) => STATES[name] === state);
}

export const SUPPORT_OF: Record<SupportName, VoteSupport> = {
  for: VoteSupport.FOR,
  against: VoteSupport.AGAINST,
  abstain: VoteSupport.ABSTAIN,
};

export function supportNameOf(support: VoteSupport): SupportName {
  const name = (Object.keys(SUPPORT_OF) as SupportName[]).find((key) => SUPPORT_OF[key] === support);
  if (name === undefined) throw new Error(`no vote support ${support}`);
  return name;
}

export function tallyOf(row: Pick<ProposalRow, "forVotes" | "againstVotes" | "abstainVotes" | "eligible">) {
  return create(TallySchema, {
    forVotes: row.forVotes,
    againstVotes: row.againstVotes,
    abstainVotes: row.abstainVotes,
    eligible: row.eligible,
  });
}

const at = (date: Date | null) => (date === null ? undefined : timestampFromDate(date));

export function toProposal(row: ProposalRow, now: Date): Proposal {
  return create(ProposalSchema, {
    id: row.id,
    proposer: row.proposer,
    parameter: row.parameter,
    previousValue: row.previousValue,
    newValue: row.newValue,
    rationale: row.rationale,
    state: stateOf(row, now),
    rule: create(DecisionRuleSchema, { quorumBps: row.quorumBps, thresholdBps: row.thresholdBps }),
    tally: tallyOf(row),
    createTime: at(row.createdAt),
    voteStartTime: at(row.voteStart),
    voteEndTime: at(row.voteEnd),
    closeTime: at(row.closedAt),
    eta: at(row.eta),
    expireTime: at(row.expiresAt),
    endTime: at(row.endedAt),
    executionError: row.executionError,
    canceledBy: row.canceledBy,
    leafIndex: BigInt(row.leafIndex),
  });
}

export function toVote(row: VoteRow): Vote {
  return create(VoteSchema, {
    proposalId: row.proposalId,
    voter: row.voter,
    support: SUPPORT_OF[row.support],
    reason: row.reason,
    castTime: timestampFromDate(row.castAt),
    leafIndex: BigInt(row.leafIndex),
  });
}
