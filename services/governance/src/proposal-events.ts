import { create } from "@bufbuild/protobuf";
import type { OutgoingEvent } from "@paymesh/events";
import {
  ExecutionFailedSchema,
  ProposalCanceledSchema,
  ProposalClosedSchema,
  ProposalCreatedSchema,
  ProposalExecutedSchema,
  ProposalQueuedSchema,
  VoteCastSchema,
} from "@paymesh/gen/paymesh/governance/v1/events_pb";
import { inArray } from "drizzle-orm";
import type { GovernanceTransaction, ProposalRow, VoteRow } from "./governance-database.js";
import { proposalVoters } from "./schema.js";
import { tallyOf, toProposal, toVote } from "./to-proto.js";

/** Maps an event name (e.g. `vote_cast`) to its subject. */
export type SubjectOf = (event: string) => string;

/** The frozen eligible voters of each proposal, sorted. */
export async function votersOf(tx: GovernanceTransaction, ids: readonly string[]): Promise<Map<string, string[]>> {
  const voters = new Map<string, string[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return voters;
  const rows = await tx
    .select()
    .from(proposalVoters)
    .where(inArray(proposalVoters.proposalId, [...ids]))
    .orderBy(proposalVoters.subject);
  for (const row of rows) voters.get(row.proposalId)?.push(row.subject);
  return voters;
}

export function proposalCreated(subject: SubjectOf, row: ProposalRow, voters: string[], now: Date): OutgoingEvent {
  return {
    subject: subject("proposal_created"),
    schema: ProposalCreatedSchema,
    message: create(ProposalCreatedSchema, { proposal: toProposal(row, now), eligibleVoters: voters }),
  };
}

export function voteCast(subject: SubjectOf, vote: VoteRow, row: ProposalRow): OutgoingEvent {
  return {
    subject: subject("vote_cast"),
    schema: VoteCastSchema,
    message: create(VoteCastSchema, { vote: toVote(vote), tally: tallyOf(row), proposer: row.proposer }),
  };
}

export function proposalClosed(subject: SubjectOf, row: ProposalRow, voters: string[], early: boolean, now: Date): OutgoingEvent {
  return {
    subject: subject("proposal_closed"),
    schema: ProposalClosedSchema,
    message: create(ProposalClosedSchema, { proposal: toProposal(row, now), early, eligibleVoters: voters }),
  };
}

export function proposalQueued(subject: SubjectOf, row: ProposalRow, voters: string[], now: Date): OutgoingEvent {
  return {
    subject: subject("proposal_queued"),
    schema: ProposalQueuedSchema,
    message: create(ProposalQueuedSchema, { proposal: toProposal(row, now), eligibleVoters: voters }),
  };
}

/** ProposalExecuted for an executed proposal; ExecutionFailed for a failed or expired one. */
export function executionEnded(subject: SubjectOf, row: ProposalRow, voters: string[], now: Date): OutgoingEvent {
  if (row.state === "executed") {
    return {
      subject: subject("proposal_executed"),
      schema: ProposalExecutedSchema,
      message: create(ProposalExecutedSchema, { proposal: toProposal(row, now), eligibleVoters: voters }),
    };
  }
  return {
    subject: subject("execution_failed"),
    schema: ExecutionFailedSchema,
    message: create(ExecutionFailedSchema, { proposal: toProposal(row, now), eligibleVoters: voters }),
  };
}

export function proposalCanceled(subject: SubjectOf, row: ProposalRow, voters: string[], now: Date): OutgoingEvent {
  return {
    subject: subject("proposal_canceled"),
    schema: ProposalCanceledSchema,
    message: create(ProposalCanceledSchema, { proposal: toProposal(row, now), eligibleVoters: voters }),
  };
}
