import { decodeEvent, type ReceivedEvent } from "@paymesh/events";
import {
  ExecutionFailedSchema,
  ProposalCanceledSchema,
  ProposalClosedSchema,
  ProposalCreatedSchema,
  ProposalExecutedSchema,
  ProposalQueuedSchema,
  VoteCastSchema,
} from "@paymesh/gen/paymesh/governance/v1/events_pb";
import type { Proposal, Tally } from "@paymesh/gen/paymesh/governance/v1/governance_pb";
import { eq } from "drizzle-orm";
import type { GovernanceTransaction } from "./governance-database.js";
import { type ProposalStateName, proposalTallies } from "./schema.js";
import { storedStateOf } from "./to-proto.js";

/** The durable consumer (and processed-events name) of the tally projection. */
export const TALLY_PROJECTION = "governance-tallies";

/** How far along its life a state is: a late event never moves a tally back. */
const STAGE: Record<ProposalStateName, number> = {
  open: 0,
  succeeded: 1,
  defeated: 1,
  canceled: 1,
  queued: 2,
  executed: 3,
  failed: 3,
  expired: 3,
};

const LIFECYCLE = [
  ProposalCreatedSchema,
  ProposalClosedSchema,
  ProposalQueuedSchema,
  ProposalExecutedSchema,
  ExecutionFailedSchema,
  ProposalCanceledSchema,
];

/**
 * Applies one governance event to the tally read table: VoteCast brings a proposal's live
 * counts, every lifecycle event its state and counts. Counts only grow and states only move on,
 * so an event applied late (or replayed) never undoes a newer one. Other events are ignored.
 */
export async function applyTallyEvent(event: ReceivedEvent, tx: GovernanceTransaction): Promise<void> {
  if (event.type === VoteCastSchema.typeName) {
    const { vote, tally } = decodeEvent(event, VoteCastSchema);
    await merge(tx, vote!.proposalId, tally!, undefined);
    return;
  }
  const schema = LIFECYCLE.find((candidate) => candidate.typeName === event.type);
  if (schema === undefined) return;
  const { proposal } = decodeEvent(event, schema) as { proposal?: Proposal };
  await merge(tx, proposal!.id, proposal!.tally!, storedStateOf(proposal!.state));
}

async function merge(tx: GovernanceTransaction, proposalId: string, tally: Tally, state: ProposalStateName | undefined): Promise<void> {
  const [row] = await tx.select().from(proposalTallies).where(eq(proposalTallies.proposalId, proposalId)).for("update");
  const next = {
    forVotes: Math.max(row?.forVotes ?? 0, tally.forVotes),
    againstVotes: Math.max(row?.againstVotes ?? 0, tally.againstVotes),
    abstainVotes: Math.max(row?.abstainVotes ?? 0, tally.abstainVotes),
    eligible: tally.eligible,
    state: row === undefined || (state !== undefined && STAGE[state] >= STAGE[row.state]) ? (state ?? "open") : row.state,
    updatedAt: new Date(),
  };
  if (row === undefined) await tx.insert(proposalTallies).values({ proposalId, ...next });
  else await tx.update(proposalTallies).set(next).where(eq(proposalTallies.proposalId, proposalId));
}
