import { GovernanceService } from "@paymesh/gen/paymesh/governance/v1/governance_pb";
import { HandleService } from "@paymesh/gen/paymesh/handles/v1/handles_pb";
import { TransferService } from "@paymesh/gen/paymesh/transfers/v1/transfers_pb";
import { isMainModule, runService, type ServiceDefinition } from "@paymesh/runtime";
import { applyTallyEvent, TALLY_PROJECTION } from "./apply-tally-event.js";
import { type Clock, systemClock } from "./clock.js";
import { createExecutionWorker } from "./create-execution-worker.js";
import { createLogReader } from "./merkle-log.js";
import { parameterCatalog } from "./parameter-catalog.js";
import { readGovernanceConfig } from "./read-governance-config.js";
import { registerProposalMetrics } from "./register-proposal-metrics.js";
import * as schema from "./schema.js";
import { createGovernanceHandlers } from "./service.js";
import { createTreeHeadSigner } from "./tree-head-signature.js";

export interface GovernanceServiceOptions {
  /**
   * The clock of voting windows, timelocks, grace periods and tree head timestamps (tests move
   * it past them). Default: the system's.
   */
  now?: Clock;
}

/**
 * Governance: its RPCs, the worker that closes, queues and executes proposals on time, and the
 * tally projection behind GetTally.
 */
export function createGovernanceService(options: GovernanceServiceOptions = {}): ServiceDefinition<typeof schema> {
  return {
    name: "governance",
    schema,
    migrationsFolder: new URL("../drizzle", import.meta.url).pathname,
    setup(ctx) {
      const config = readGovernanceConfig(ctx.env);
      const now = options.now ?? systemClock;
      const { db } = ctx.database;
      const owners = { transfers: ctx.clientFor(TransferService, "transfers"), handles: ctx.clientFor(HandleService, "handles") };
      const parameters = new Map(parameterCatalog(config.limitCurrencies).map((spec) => [spec.name, spec]));
      const worker = createExecutionWorker({
        db,
        owners,
        parameters,
        now,
        subject: ctx.subject,
        logger: ctx.logger.child({ component: "execution" }),
        timelockMs: config.timelockMs,
        gracePeriodMs: config.gracePeriodMs,
        intervalMs: config.workerIntervalMs,
        registry: ctx.metrics.registry,
      });
      registerProposalMetrics(ctx.metrics.registry, ctx.database.sql, now);
      const tallies = ctx.projection({ context: "governance", durable: TALLY_PROJECTION, handler: applyTallyEvent });
      const handlers = createGovernanceHandlers({
        db,
        owners,
        parameters,
        log: createLogReader(db),
        signer: createTreeHeadSigner(config.signingKey),
        now,
        subject: ctx.subject,
        votingDelayMs: config.votingDelayMs,
        votingPeriodMs: config.votingPeriodMs,
      });
      return { services: [{ service: GovernanceService, impl: handlers }], workers: [worker, tallies] };
    },
  };
}

export const governanceService = createGovernanceService();

if (isMainModule(import.meta.url)) await runService(governanceService);
