import { rebuildProjection } from "@paymesh/events";
import type { JetStreamClient, JetStreamManager } from "nats";
import { applyStatementEvent, STATEMENT_PROJECTION } from "./apply-statement-event.js";
import type { LedgerDatabase } from "./ledger-database.js";
import { statementLines } from "./schema.js";

/** Replays the ledger's stream into a fresh statement table; returns the events replayed. */
export function rebuildStatements(options: {
  db: LedgerDatabase;
  js: JetStreamClient;
  jsm: JetStreamManager;
  stream: string;
}): Promise<number> {
  return rebuildProjection({
    ...options,
    consumerName: STATEMENT_PROJECTION,
    tables: [statementLines],
    handler: applyStatementEvent,
  });
}
