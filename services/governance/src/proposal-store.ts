import { appendEvents } from "@paymesh/events";
import type { Principal } from "@paymesh/runtime";
import { DomainError } from "@paymesh/runtime";
import { and, eq, inArray, sql } from "drizzle-orm";
import { type Counts, decidedEarly, type Rule } from "./decide-outcome.js";
import type { GovernanceTransaction, ProposalRow, VoteRow } from "./governance-database.js";
import { cancellationRecord, outcomeRecord, proposalRecord, voteRecord } from "./log-records.js";
import { appendToLog } from "./merkle-log.js";
import { proposalCanceled, proposalClosed, proposalCreated, type SubjectOf, voteCast, votersOf } from "./proposal-events.js";
import { members, proposals, proposalVoters, type SupportName, votes } from "./schema.js";

/** States in which a proposal may still change a parameter: at most one per parameter. */
const IN_FLIGHT = ["open", "succeeded", "queued"] as const;

/** A proposal as its proposer asked for it, with what the service decided around it. */
export interface NewProposal {
  id: string;
  proposer: string;
  parameter: string;
  previousValue: bigint;
  newValue: bigint;
  rationale: string;
  rule: Rule;
  createdAt: Date;
  voteStart: Date;
  voteEnd: Date;
}

export async function findProposal(tx: GovernanceTransaction, id: string, lock = false): Promise<ProposalRow | undefined> {
  const query = tx.select().from(proposals).where(eq(proposals.id, id));
  const [row] = lock ? await query.for("update") : await query;
  return row;
}

/**
 * The answer to a CreateProposal whose id is taken: the same proposal when the proposer asked
 * for the same thing, else ALREADY_EXISTS naming the first field that differs.
 */
export function sameProposal(
  existing: ProposalRow,
  wanted: Pick<NewProposal, "proposer" | "parameter" | "newValue" | "rationale">,
): ProposalRow {
  const differs = (["proposer", "parameter", "newValue", "rationale"] as const).find((field) => existing[field] !== wanted[field]);
  if (differs === undefined) return existing;
  const field = { proposer: "proposer", parameter: "parameter", newValue: "new_value", rationale: "rationale" }[differs];
  throw new DomainError(
    "already_exists",
    `proposal ${existing.id} exists with a different ${field}; use a new proposal_id for a new proposal`,
  );
}

/**
 * Records a proposal with its frozen eligible set (the members now), its log leaf and
 * ProposalCreated, in one transaction. A proposal id taken or a parameter with a proposal in
 * flight is answered here; a concurrent one that wins the race makes the insert fail on its
 * unique index, and the caller runs this again to answer the same way.
 */
export async function insertProposal(tx: GovernanceTransaction, input: NewProposal, subject: SubjectOf): Promise<ProposalRow> {
  const existing = await findProposal(tx, input.id);
  if (existing !== undefined) return sameProposal(existing, input);
  const voters = (await tx.select({ subject: members.subject }).from(members).orderBy(members.subject)).map((m) => m.subject);
  if (!voters.includes(input.proposer)) throw notAMember(input.proposer);
  const [inFlight] = await tx
    .select({ id: proposals.id })
    .from(proposals)
    .where(and(eq(proposals.parameter, input.parameter), inArray(proposals.state, [...IN_FLIGHT])));
  if (inFlight !== undefined) {
    throw new DomainError(
      "failed_precondition",
      `${input.parameter} already has proposal ${inFlight.id} in flight; one proposal per parameter at a time`,
    );
  }
  const draft: ProposalRow = {
    id: input.id,
    proposer: input.proposer,
    parameter: input.parameter,
    previousValue: input.previousValue,
    newValue: input.newValue,
    rationale: input.rationale,
    quorumBps: input.rule.quorumBps,
    thresholdBps: input.rule.thresholdBps,
    eligible: voters.length,
    forVotes: 0,
    againstVotes: 0,
    abstainVotes: 0,
    state: "open",
    createdAt: input.createdAt,
    voteStart: input.voteStart,
    voteEnd: input.voteEnd,
    closedAt: null,
    eta: null,
    expiresAt: null,
    endedAt: null,
    executionError: "",
    executionAttempts: 0,
    canceledBy: "",
    leafIndex: 0,
  };
  const [leafIndex] = await appendToLog(tx, [proposalRecord(draft, voters)]);
  const row = { ...draft, leafIndex: leafIndex! };
  await Promise.all([
    tx.insert(proposals).values(row),
    tx.insert(proposalVoters).values(voters.map((voter) => ({ proposalId: row.id, subject: voter }))),
    appendEvents(tx, [proposalCreated(subject, row, voters, input.createdAt)]),
  ]);
  return row;
}

/**
 * Records a member's vote, final, with its leaf and VoteCast; when the vote decides the
 * proposal whatever the others still do, closes it in the same transaction (with the outcome's
 * leaf and ProposalClosed). Votes on one proposal wait on its row lock, so each sees the
 * tally before it and no member votes twice, whichever instance they reach.
 */
export async function castVote(
  tx: GovernanceTransaction,
  input: { proposalId: string; voter: string; support: SupportName; reason: string; at: Date },
  subject: SubjectOf,
): Promise<{ vote: VoteRow; proposal: ProposalRow }> {
  const { proposalId, voter, at } = input;
  const row = await findProposal(tx, proposalId, true);
  if (row === undefined) throw new DomainError("not_found", `proposal ${proposalId} not found`);
  // Eligibility and an earlier vote in one round trip.
  const [standing] = await tx
    .select({
      eligible: sql<boolean>`exists (select 1 from ${proposalVoters} where ${proposalVoters.proposalId} = ${proposalId} and ${proposalVoters.subject} = ${voter})`,
      already: sql<SupportName | null>`(select ${votes.support} from ${votes} where ${votes.proposalId} = ${proposalId} and ${votes.voter} = ${voter})`,
    })
    .from(sql`(select 1) as once`);
  if (!standing!.eligible) {
    throw new DomainError(
      "permission_denied",
      `${voter} may not vote on proposal ${proposalId}: only those who were members when it was created may`,
    );
  }
  if (standing!.already !== null) {
    throw new DomainError(
      "already_exists",
      `${voter} already voted ${standing!.already.toUpperCase()} on proposal ${proposalId}; votes are final`,
    );
  }
  if (row.state !== "open") {
    throw new DomainError("failed_precondition", `voting on proposal ${proposalId} is over: it is ${row.state.toUpperCase()}`);
  }
  if (at < row.voteStart) {
    throw new DomainError("failed_precondition", `voting on proposal ${proposalId} opens at ${row.voteStart.toISOString()}`);
  }
  if (at >= row.voteEnd) {
    throw new DomainError("failed_precondition", `voting on proposal ${proposalId} closed at ${row.voteEnd.toISOString()}`);
  }
  const key = ({ for: "forVotes", against: "againstVotes", abstain: "abstainVotes" } as const)[input.support];
  const counted = { ...row, [key]: row[key] + 1 };
  const counts: Counts = { for: counted.forVotes, against: counted.againstVotes, abstain: counted.abstainVotes, eligible: row.eligible };
  const decided = decidedEarly(counts, { quorumBps: row.quorumBps, thresholdBps: row.thresholdBps });
  const after: ProposalRow = decided === undefined ? counted : { ...counted, state: decided, closedAt: at };
  const draft = { proposalId, voter, support: input.support, reason: input.reason, castAt: at };
  // The eligible voters only when the vote closes the proposal: ProposalClosed carries them, VoteCast does not.
  const voters = decided === undefined ? [] : (await votersOf(tx, [proposalId])).get(proposalId)!;
  const [leafIndex] = await appendToLog(tx, decided === undefined ? [voteRecord(draft)] : [voteRecord(draft), outcomeRecord(after, true)]);
  const vote: VoteRow = { ...draft, leafIndex: leafIndex! };
  await Promise.all([
    tx.insert(votes).values(vote),
    tx
      .update(proposals)
      .set({ [key]: after[key], state: after.state, closedAt: after.closedAt })
      .where(eq(proposals.id, proposalId)),
    appendEvents(tx, [
      voteCast(subject, vote, after),
      ...(decided === undefined ? [] : [proposalClosed(subject, after, voters, true, at)]),
    ]),
  ]);
  return { vote, proposal: after };
}

/**
 * Cancels a proposal: its proposer while voting has not started, an operator (the guardian) any
 * time before it is executed. Canceling a canceled proposal again returns it unchanged.
 */
export async function cancelProposal(
  tx: GovernanceTransaction,
  id: string,
  principal: Principal,
  at: Date,
  subject: SubjectOf,
): Promise<ProposalRow> {
  const row = await findProposal(tx, id, true);
  if (row === undefined) throw new DomainError("not_found", `proposal ${id} not found`);
  if (row.state === "canceled") return row;
  if (principal.role === "operator") {
    if (!(IN_FLIGHT as readonly string[]).includes(row.state)) {
      throw new DomainError(
        "failed_precondition",
        `proposal ${id} is ${row.state.toUpperCase()}: only a proposal not yet decided or executed can be canceled`,
      );
    }
  } else if (principal.subject === row.proposer) {
    if (row.state !== "open" || at >= row.voteStart) {
      throw new DomainError(
        "failed_precondition",
        `a proposer may cancel only before voting starts (${row.voteStart.toISOString()}); ask an operator`,
      );
    }
  } else {
    throw new DomainError("permission_denied", `only the proposer of ${id} or an operator may cancel it`);
  }
  const canceled: ProposalRow = { ...row, state: "canceled", canceledBy: principal.subject, endedAt: at };
  const voters = (await votersOf(tx, [id])).get(id)!;
  await appendToLog(tx, [cancellationRecord(id, principal.subject, principal.role, at)]);
  await Promise.all([
    tx.update(proposals).set({ state: "canceled", canceledBy: principal.subject, endedAt: at }).where(eq(proposals.id, id)),
    appendEvents(tx, [proposalCanceled(subject, canceled, voters, at)]),
  ]);
  return canceled;
}

export function notAMember(subject: string): DomainError {
  return new DomainError("permission_denied", `${subject} is not a member: only members may propose (an operator adds members)`);
}
