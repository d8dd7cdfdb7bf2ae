import type { PostgresJsDatabase } from "drizzle-orm/postgres-js";
import type * as schema from "./schema.js";

/** The governance service's Drizzle database. */
export type GovernanceDatabase = PostgresJsDatabase<typeof schema>;

/** A transaction on it. */
export type GovernanceTransaction = Parameters<Parameters<GovernanceDatabase["transaction"]>[0]>[0];

/** A proposal as stored. */
export type ProposalRow = typeof schema.proposals.$inferSelect;

/** A vote as stored. */
export type VoteRow = typeof schema.votes.$inferSelect;
