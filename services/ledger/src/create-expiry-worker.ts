import { createIntervalWorker, type IntervalWorker } from "@paymesh/runtime";
import { and, asc, eq, lte, sql } from "drizzle-orm";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { PostingEngine } from "./create-posting-engine.js";
import type { LedgerDatabase } from "./ledger-database.js";
import { entries } from "./schema.js";

export interface ExpiryWorkerOptions {
  db: LedgerDatabase;
  engine: PostingEngine;
  logger: Logger;
  /**
   * How often to look for pending entries past their timeout. Default 1 s: a reservation
   * outlives its timeout by at most about that long. PostPending refuses an expired entry
   * at once either way.
   */
  intervalMs?: number;
  /** Entries expired per pass. Default 500. */
  batchSize?: number;
  /** The service's metrics registry, for the worker's pass metrics. Default: a registry of its own. */
  registry?: Registry;
}

/**
 * Releases the reservations of pending entries whose timeout passed. Safe on every
 * instance at once: expiring goes through the posting engine, which locks the entry, and
 * expiring an already expired entry is a no-op. A pass gives how many entries it expired.
 */
export function createExpiryWorker(options: ExpiryWorkerOptions): IntervalWorker<number> {
  const pass = async () => {
    const due = await options.db
      .select({ id: entries.id })
      .from(entries)
      .where(and(eq(entries.status, "pending"), lte(entries.expiresAt, sql`now()`)))
      .orderBy(asc(entries.expiresAt))
      .limit(options.batchSize ?? 500);
    if (due.length === 0) return 0;
    const results = await options.engine.submit(due.map(({ id }) => ({ kind: "expire" as const, entryId: id })));
    const expired = results.filter((result) => result.ok).length;
    if (expired > 0) options.logger.info({ expired }, "expired pending entries");
    return expired;
  };

  return createIntervalWorker({
    name: "pending-expiry",
    intervalMs: options.intervalMs ?? 1_000,
    run: pass,
    logger: options.logger,
    registry: options.registry,
  });
}
