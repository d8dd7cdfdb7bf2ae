import { LedgerService } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import { isMainModule, runService, type ServiceDefinition } from "@paymesh/runtime";
import { applyStatementEvent, applyStatementEvents, STATEMENT_PROJECTION } from "./apply-statement-event.js";
import { createExpiryWorker } from "./create-expiry-worker.js";
import { createPostingEngine } from "./create-posting-engine.js";
import { POST_ENTRIES_READ_LIMIT } from "./post-entries-read-limit.js";
import { readLedgerConfig } from "./read-ledger-config.js";
import * as schema from "./schema.js";
import { createLedgerService } from "./service.js";

/** The ledger: its RPCs, the group-commit posting engine, pending expiry and the statement projection. */
export const ledgerService: ServiceDefinition<typeof schema> = {
  name: "ledger",
  schema,
  migrationsFolder: new URL("../drizzle", import.meta.url).pathname,
  setup(ctx) {
    const config = readLedgerConfig(ctx.env);
    const { db } = ctx.database;
    const engine = createPostingEngine({
      sql: ctx.database.sql,
      subject: ctx.subject,
      logger: ctx.logger.child({ component: "posting-engine" }),
      registry: ctx.metrics.registry,
    });
    const expiry = createExpiryWorker({
      db,
      engine,
      logger: ctx.logger.child({ component: "pending-expiry" }),
      intervalMs: config.expiryIntervalMs,
      registry: ctx.metrics.registry,
    });
    const statements = ctx.projection({
      context: "ledger",
      durable: STATEMENT_PROJECTION,
      handler: applyStatementEvent,
      groupHandler: applyStatementEvents,
    });
    return {
      services: [
        {
          service: LedgerService,
          impl: createLedgerService({ db, sql: ctx.database.sql, engine, subject: ctx.subject }),
          readLimits: { PostEntries: POST_ENTRIES_READ_LIMIT },
        },
      ],
      workers: [expiry, statements],
    };
  },
};

if (isMainModule(import.meta.url)) await runService(ledgerService);
