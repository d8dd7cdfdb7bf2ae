import { bytea } from "@paymesh/db";
import { sql } from "drizzle-orm";
import { bigint, check, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";

export { outbox, parkedEvents, processedEvents } from "@paymesh/events";

/**
 * A proposal's stored state. `open` is PENDING before vote_start and ACTIVE from then until the
 * vote closes: the window is a matter of time, not of a worker having moved it.
 */
export const PROPOSAL_STATES = ["open", "succeeded", "defeated", "queued", "executed", "failed", "expired", "canceled"] as const;
export type ProposalStateName = (typeof PROPOSAL_STATES)[number];

export const SUPPORTS = ["for", "against", "abstain"] as const;
export type SupportName = (typeof SUPPORTS)[number];

/** Who may propose and vote. */
export const members = pgTable("members", {
  subject: text("subject").primaryKey(),
  addedBy: text("added_by").notNull(),
  addedAt: timestamp("added_at", { withTimezone: true }).notNull(),
});

export const proposals = pgTable(
  "proposals",
  {
    /** Chosen by the proposer's client: the idempotency key of CreateProposal. */
    id: uuid("id").primaryKey(),
    proposer: text("proposer").notNull(),
    parameter: text("parameter").notNull(),
    previousValue: bigint("previous_value", { mode: "bigint" }).notNull(),
    newValue: bigint("new_value", { mode: "bigint" }).notNull(),
    rationale: text("rationale").notNull(),
    quorumBps: integer("quorum_bps").notNull(),
    thresholdBps: integer("threshold_bps").notNull(),
    /** The frozen eligible set's size (its members are in proposal_voters). */
    eligible: integer("eligible").notNull(),
    /** The authoritative tally, kept in each vote's transaction (the tally read table is the projection's copy). */
    forVotes: integer("for_votes").notNull().default(0),
    againstVotes: integer("against_votes").notNull().default(0),
    abstainVotes: integer("abstain_votes").notNull().default(0),
    state: text("state", { enum: PROPOSAL_STATES }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    voteStart: timestamp("vote_start", { withTimezone: true }).notNull(),
    voteEnd: timestamp("vote_end", { withTimezone: true }).notNull(),
    closedAt: timestamp("closed_at", { withTimezone: true }),
    eta: timestamp("eta", { withTimezone: true }),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    endedAt: timestamp("ended_at", { withTimezone: true }),
    executionError: text("execution_error").notNull().default(""),
    executionAttempts: integer("execution_attempts").notNull().default(0),
    canceledBy: text("canceled_by").notNull().default(""),
    /** The log leaf of its ProposalRecord. */
    leafIndex: bigint("leaf_index", { mode: "number" }).notNull(),
  },
  (t) => [
    // One proposal in flight per parameter: two passing together would each undo the other.
    uniqueIndex("proposals_one_in_flight_idx").on(t.parameter).where(sql`${t.state} in ('open', 'succeeded', 'queued')`),
    index("proposals_created_idx").on(t.createdAt.desc(), t.id.desc()),
    index("proposals_state_created_idx").on(t.state, t.createdAt.desc(), t.id.desc()),
    // The worker's scans: votes to close, passed proposals to queue and execute.
    index("proposals_open_end_idx").on(t.voteEnd).where(sql`${t.state} = 'open'`),
    index("proposals_passed_eta_idx").on(t.eta).where(sql`${t.state} in ('succeeded', 'queued')`),
  ],
);

/** The eligible set of each proposal, frozen at its creation. */
export const proposalVoters = pgTable(
  "proposal_voters",
  {
    proposalId: uuid("proposal_id").notNull(),
    subject: text("subject").notNull(),
  },
  (t) => [primaryKey({ columns: [t.proposalId, t.subject] })],
);

/** One final vote per eligible member: the primary key holds it whatever the instances race. */
export const votes = pgTable(
  "votes",
  {
    proposalId: uuid("proposal_id").notNull(),
    voter: text("voter").notNull(),
    support: text("support", { enum: SUPPORTS }).notNull(),
    reason: text("reason").notNull(),
    castAt: timestamp("cast_at", { withTimezone: true }).notNull(),
    leafIndex: bigint("leaf_index", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.proposalId, t.voter] })],
);

/** The log's size: the one counter every append takes its index from, locked until its transaction ends. */
export const logHead = pgTable(
  "log_head",
  {
    id: integer("id").primaryKey(),
    size: bigint("size", { mode: "number" }).notNull(),
  },
  (t) => [check("log_head_single_row", sql`${t.id} = 1`)],
);

/** The log's leaves: each a LogRecord's deterministic protobuf encoding. */
export const logLeaves = pgTable("log_leaves", {
  index: bigint("idx", { mode: "number" }).primaryKey(),
  data: bytea("data").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Hashes of the log's complete, aligned subtrees: (level, idx) covers leaves
 * [idx·2^level, (idx+1)·2^level); level 0 holds the leaf hashes. Any root or proof is one read
 * of O(log n) of them.
 */
export const logNodes = pgTable(
  "log_nodes",
  {
    level: integer("level").notNull(),
    index: bigint("idx", { mode: "number" }).notNull(),
    hash: bytea("hash").notNull(),
  },
  (t) => [primaryKey({ columns: [t.level, t.index] })],
);

/** Read table kept by the tally projection from the governance stream: live counts per proposal. */
export const proposalTallies = pgTable("proposal_tallies", {
  proposalId: uuid("proposal_id").primaryKey(),
  forVotes: integer("for_votes").notNull(),
  againstVotes: integer("against_votes").notNull(),
  abstainVotes: integer("abstain_votes").notNull(),
  eligible: integer("eligible").notNull(),
  state: text("state", { enum: PROPOSAL_STATES }).notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
});
