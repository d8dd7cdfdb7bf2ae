import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { DecisionRuleSchema, type LogRecord, LogRecordSchema, type ProposalState } from "@paymesh/gen/paymesh/governance/v1/governance_pb";
import type { ProposalRow, VoteRow } from "./governance-database.js";
import { SUPPORT_OF, stateOf, tallyOf } from "./to-proto.js";

/** The leaf content of each record the log holds: what a verifier checks the served rows against. */
export function proposalRecord(row: ProposalRow, voters: readonly string[]): LogRecord {
  return create(LogRecordSchema, {
    record: {
      case: "proposal",
      value: {
        proposalId: row.id,
        proposer: row.proposer,
        parameter: row.parameter,
        previousValue: row.previousValue,
        newValue: row.newValue,
        rationale: row.rationale,
        rule: create(DecisionRuleSchema, { quorumBps: row.quorumBps, thresholdBps: row.thresholdBps }),
        eligibleVoters: [...voters],
        createTime: timestampFromDate(row.createdAt),
        voteStartTime: timestampFromDate(row.voteStart),
        voteEndTime: timestampFromDate(row.voteEnd),
      },
    },
  });
}

export function voteRecord(vote: Omit<VoteRow, "leafIndex">): LogRecord {
  return create(LogRecordSchema, {
    record: {
      case: "vote",
      value: {
        proposalId: vote.proposalId,
        voter: vote.voter,
        support: SUPPORT_OF[vote.support],
        reason: vote.reason,
        castTime: timestampFromDate(vote.castAt),
      },
    },
  });
}

export function cancellationRecord(proposalId: string, canceledBy: string, role: string, at: Date): LogRecord {
  return create(LogRecordSchema, {
    record: { case: "cancellation", value: { proposalId, canceledBy, role, cancelTime: timestampFromDate(at) } },
  });
}

/** The close of voting, for a row already moved to SUCCEEDED or DEFEATED. */
export function outcomeRecord(row: ProposalRow, early: boolean): LogRecord {
  return create(LogRecordSchema, {
    record: {
      case: "outcome",
      value: {
        proposalId: row.id,
        state: stateOf(row, row.closedAt!),
        tally: tallyOf(row),
        early,
        closeTime: timestampFromDate(row.closedAt!),
      },
    },
  });
}

/** What became of a passed proposal, for a row already EXECUTED, FAILED or EXPIRED. */
export function executionRecord(row: ProposalRow, value: bigint): LogRecord {
  const state: ProposalState = stateOf(row, row.endedAt!);
  return create(LogRecordSchema, {
    record: {
      case: "execution",
      value: {
        proposalId: row.id,
        state,
        parameter: row.parameter,
        value,
        error: row.executionError,
        endTime: timestampFromDate(row.endedAt!),
      },
    },
  });
}
