import type { Client } from "@connectrpc/connect";
import { retryOnConflict } from "@paymesh/db";
import type { LedgerService } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import { createIntervalWorker, type IntervalWorker } from "@paymesh/runtime";
import { and, asc, eq, lt } from "drizzle-orm";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { classifyLedgerError } from "./classify-ledger-error.js";
import type { Clock } from "./clock.js";
import type { TransferOutcomes } from "./create-transfer-outcomes.js";
import { entryRequestFor } from "./entry-request-for.js";
import { transfers } from "./schema.js";
import { type Failure, finishTransfers, type SubjectOf, type TransferToFinish } from "./transfer-store.js";
import type { TransferRow, TransfersDatabase } from "./transfers-database.js";

export interface RecoveryWorkerOptions {
  db: TransfersDatabase;
  ledger: Client<typeof LedgerService>;
  now: Clock;
  subject: SubjectOf;
  logger: Logger;
  /** How often to look for transfers left in flight. Default 1 s. */
  intervalMs?: number;
  /**
   * How long a transfer must have been INITIATED before recovery takes it over. Default 10 s:
   * twice the ledger call's 5 s deadline, so the request that created it has finished or given
   * up, and any entry it sent has been applied or refused, before recovery asks again.
   */
  afterMs?: number;
  /** Transfers settled per transaction (one PostEntries call). Default 100. */
  batchSize?: number;
  /** The service's metrics registry, for the worker's pass metrics. Default: a registry of its own. */
  registry?: Registry;
  /** Told of every transfer recovery settles, once its transaction committed. Default: nobody. */
  outcomes?: TransferOutcomes;
}

const RECOVERY_WORKER = "transfer-recovery";

/**
 * Finishes transfers a crash (or a lost ledger answer) left INITIATED. Each pass locks a batch
 * of old in-flight transfers (FOR UPDATE SKIP LOCKED, so instances share the work and never
 * take the same one) and re-posts their entries in one PostEntries call under the same derived
 * entry ids. The ledger applies an id once, so its answer settles each transfer safely:
 * - the entry (new, or the one an earlier attempt already applied) → COMPLETED;
 * - a refusal (insufficient funds, a closed or missing account, ...) → FAILED. A refusal proves
 *   the id holds no entry: the same content under an applied id would have returned it;
 * - anything else (the ledger down, an error for the batch) → left INITIATED for the next pass;
 * - the id taken by a different entry → left INITIATED and logged as an error for an operator.
 * The locks are held across the ledger call, so a late request handler (or another instance)
 * waits and then finds the transfer already settled.
 */
export function createRecoveryWorker(options: RecoveryWorkerOptions): IntervalWorker<number> {
  const { db, ledger, now, subject, logger } = options;
  const afterMs = options.afterMs ?? 10_000;
  const batchSize = options.batchSize ?? 100;

  /**
   * One batch; returns how many transfers it settled (or -1 when there was nothing to do). A batch
   * that lost a deadlock to a request settling one of its transfers runs again at once: re-posting
   * the same entry ids is safe.
   */
  const batch = async () => {
    const settledRows: TransferRow[] = [];
    const settled = await retryOnConflict(() =>
      db.transaction(async (tx) => {
        settledRows.length = 0;
        const due = await tx
          .select()
          .from(transfers)
          .where(and(eq(transfers.status, "initiated"), lt(transfers.createdAt, new Date(now().getTime() - afterMs))))
          .orderBy(asc(transfers.createdAt))
          .limit(batchSize)
          .for("update", { skipLocked: true });
        if (due.length === 0) return -1;
        const { results } = await ledger.postEntries({ entries: due.map(entryRequestFor) });
        const answered: TransferToFinish[] = [];
        for (const [i, transfer] of due.entries()) {
          const result = results[i]?.result;
          let failure: Failure | undefined;
          if (result?.case === "error") {
            const outcome = classifyLedgerError(result.value, {
              from: transfer.fromAccountId,
              to: transfer.toAccountId ?? "",
            });
            if (outcome.kind !== "refused") {
              logger[outcome.kind === "conflict" ? "error" : "warn"](
                { transferId: transfer.id, entryId: transfer.entryId, outcome },
                "transfer still unsettled",
              );
              continue;
            }
            failure = { reason: outcome.reason, message: outcome.message };
          } else if (result?.case !== "entry") {
            continue;
          }
          answered.push({ transfer, failure });
        }
        const finished = answered.length === 0 ? [] : await finishTransfers(tx, answered, now(), subject);
        for (const row of finished) if (row !== undefined) settledRows.push(row);
        const settled = settledRows.length;
        if (settled > 0) logger.info({ settled, due: due.length }, "recovered transfers left in flight");
        return settled;
      }),
    );
    for (const row of settledRows) options.outcomes?.settled(row);
    return settled;
  };

  /** Batches until one finds nothing left to settle; gives how many transfers it settled. */
  const pass = async (): Promise<number> => {
    let total = 0;
    for (;;) {
      const settled = await batch();
      if (settled <= 0) return total;
      total += settled;
    }
  };

  // At once on start: transfers a crash left in flight have waited long enough already.
  return createIntervalWorker({
    name: RECOVERY_WORKER,
    intervalMs: options.intervalMs ?? 1_000,
    firstRun: "immediately",
    run: pass,
    logger,
    registry: options.registry,
  });
}
