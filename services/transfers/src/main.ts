import { HandleService } from "@paymesh/gen/paymesh/handles/v1/handles_pb";
import { LedgerService } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import { TransferService } from "@paymesh/gen/paymesh/transfers/v1/transfers_pb";
import { isMainModule, runService, type ServiceDefinition } from "@paymesh/runtime";
import type { Redis } from "ioredis";
import { applyHistoryEvent, applyHistoryEvents, HISTORY_PROJECTION } from "./apply-history-event.js";
import { type Clock, systemClock } from "./clock.js";
import { createAccountDirectory } from "./create-account-directory.js";
import { createIdempotencyGate } from "./create-idempotency-gate.js";
import { createLimitPolicies } from "./create-limit-policies.js";
import { createRecoveryWorker } from "./create-recovery-worker.js";
import { createTransferOutcomes } from "./create-transfer-outcomes.js";
import { createTransferProcessor } from "./create-transfer-processor.js";
import { readTransfersConfig } from "./read-transfers-config.js";
import * as schema from "./schema.js";
import { createTransferService } from "./service.js";

export interface TransfersServiceOptions {
  /** The clock for limit periods and timestamps (tests move it across a UTC day). Default: the system's. */
  now?: Clock;
  /**
   * The Redis client of the idempotency fast path. Default: the service's own connection, or none
   * when TRANSFERS_IDEMPOTENCY_FAST_PATH=off. Tests pass a broken one to show the database alone
   * keeps the contract.
   */
  idempotencyRedis?: Redis | null;
}

/**
 * Transfers: its RPCs, the recovery worker that settles transfers left in flight, and the
 * history projection behind ListTransfers.
 */
export function createTransfersService(options: TransfersServiceOptions = {}): ServiceDefinition<typeof schema> {
  return {
    name: "transfers",
    schema,
    migrationsFolder: new URL("../drizzle", import.meta.url).pathname,
    setup(ctx) {
      const config = readTransfersConfig(ctx.env);
      const now = options.now ?? systemClock;
      const { db } = ctx.database;
      const ledger = ctx.clientFor(LedgerService, "ledger");
      const handles = ctx.clientFor(HandleService, "handles");
      const limits = createLimitPolicies(db);
      const outcomes = createTransferOutcomes(ctx.metrics.registry);
      const redis = options.idempotencyRedis !== undefined ? options.idempotencyRedis : config.idempotencyFastPath ? ctx.redis : null;
      const processor = createTransferProcessor({
        db,
        ledger,
        handles,
        accounts: createAccountDirectory(ledger),
        limits,
        gate: createIdempotencyGate({ redis, namespace: ctx.config.databaseName, logger: ctx.logger.child({ component: "idempotency" }) }),
        now,
        subject: ctx.subject,
        logger: ctx.logger,
        outcomes,
      });
      const recovery = createRecoveryWorker({
        db,
        ledger,
        now,
        subject: ctx.subject,
        logger: ctx.logger.child({ component: "recovery" }),
        intervalMs: config.recoveryIntervalMs,
        afterMs: config.recoveryAfterMs,
        registry: ctx.metrics.registry,
        outcomes,
      });
      const history = ctx.projection({
        context: "transfers",
        durable: HISTORY_PROJECTION,
        handler: applyHistoryEvent,
        groupHandler: applyHistoryEvents,
      });
      return {
        services: [{ service: TransferService, impl: createTransferService({ db, processor, limits }) }],
        workers: [recovery, history],
      };
    },
  };
}

export const transfersService = createTransfersService();

if (isMainModule(import.meta.url)) await runService(transfersService);
