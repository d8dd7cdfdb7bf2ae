import { decodeEvent } from "@paymesh/events";
import {
  ExecutionFailedSchema,
  ProposalCanceledSchema,
  ProposalClosedSchema,
  ProposalCreatedSchema,
  ProposalExecutedSchema,
} from "@paymesh/gen/paymesh/governance/v1/events_pb";
import { type Proposal, ProposalState } from "@paymesh/gen/paymesh/governance/v1/governance_pb";
import type { InboxSource } from "./inbox-source.js";
import type { NotificationDraft } from "./notification-draft.js";

/** Every lifecycle event carries the proposal and its frozen eligible voters. */
type LifecycleSchema =
  | typeof ProposalCreatedSchema
  | typeof ProposalClosedSchema
  | typeof ProposalExecutedSchema
  | typeof ExecutionFailedSchema
  | typeof ProposalCanceledSchema;

interface Wording {
  schema: LifecycleSchema;
  type: string;
  title: (proposal: Proposal) => string;
  body: (proposal: Proposal) => string;
}

const change = (proposal: Proposal) => `${proposal.parameter} from ${proposal.previousValue} to ${proposal.newValue}`;
const outcome = (proposal: Proposal) => (proposal.state === ProposalState.SUCCEEDED ? "passed" : "was defeated");

const WORDING: Readonly<Record<string, Wording>> = {
  [ProposalCreatedSchema.typeName]: {
    schema: ProposalCreatedSchema,
    type: "governance.proposal_opened",
    title: () => "A proposal to vote on",
    body: (p) => `@${p.proposer} proposes to change ${change(p)}: you may vote on it`,
  },
  [ProposalClosedSchema.typeName]: {
    schema: ProposalClosedSchema,
    type: "governance.proposal_closed",
    title: (p) => (p.state === ProposalState.SUCCEEDED ? "A proposal passed" : "A proposal was defeated"),
    body: (p) => `The proposal to change ${change(p)} ${outcome(p)}`,
  },
  [ProposalExecutedSchema.typeName]: {
    schema: ProposalExecutedSchema,
    type: "governance.proposal_executed",
    title: () => "A rule changed",
    body: (p) => `${p.parameter} is now ${p.newValue}, as voted`,
  },
  [ExecutionFailedSchema.typeName]: {
    schema: ExecutionFailedSchema,
    type: "governance.execution_failed",
    title: () => "A passed proposal was not applied",
    body: (p) => `The change of ${change(p)} passed but was not applied${p.executionError ? `: ${p.executionError}` : ""}`,
  },
  [ProposalCanceledSchema.typeName]: {
    schema: ProposalCanceledSchema,
    type: "governance.proposal_canceled",
    title: () => "A proposal was canceled",
    body: (p) => `The proposal to change ${change(p)} was canceled`,
  },
};

/**
 * Governance: a proposal opened tells every member who may vote on it; its close, execution (or
 * failed execution) and cancellation tell the same members. The events carry the frozen
 * eligible voters, so nobody is asked who the members were. Votes tell nobody: a tally that
 * changes with every vote is what the console's live view is for, not an inbox.
 */
export const governanceSource: InboxSource = {
  context: "governance",
  durable: "notifications-governance",
  types: Object.values(WORDING).map((wording) => wording.type),
  async notificationsFor(event) {
    const wording = WORDING[event.type];
    if (wording === undefined) return [];
    const { proposal, eligibleVoters } = decodeEvent(event, wording.schema);
    if (proposal === undefined) throw new Error(`event ${event.id} carries no proposal`);
    return eligibleVoters.map(
      (recipient): NotificationDraft => ({
        recipient,
        type: wording.type,
        category: "governance",
        title: wording.title(proposal),
        body: wording.body(proposal),
        resource: proposal.id,
        required: false,
      }),
    );
  },
};
