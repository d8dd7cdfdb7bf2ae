import { rebuildProjection } from "@paymesh/events";
import type { JetStreamClient, JetStreamManager } from "nats";
import { applyTallyEvent, TALLY_PROJECTION } from "./apply-tally-event.js";
import type { GovernanceDatabase } from "./governance-database.js";
import { proposalTallies } from "./schema.js";

/** Replays the governance stream into a fresh tally table; returns the events replayed. */
export function rebuildTallies(options: {
  db: GovernanceDatabase;
  js: JetStreamClient;
  jsm: JetStreamManager;
  stream: string;
}): Promise<number> {
  return rebuildProjection({
    ...options,
    consumerName: TALLY_PROJECTION,
    tables: [proposalTallies],
    handler: applyTallyEvent,
  });
}
