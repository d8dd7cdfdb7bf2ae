import { HandleService } from "@paymesh/gen/paymesh/handles/v1/handles_pb";
import { LedgerService } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import { isMainModule, runService, type ServiceDefinition } from "@paymesh/runtime";
import { createLookupLimiter } from "./create-lookup-limiter.js";
import { createOutboxPruner } from "./create-outbox-pruner.js";
import { createResolutionCache } from "./create-resolution-cache.js";
import { createResolutionLoader } from "./create-resolution-loader.js";
import { readHandlesConfig } from "./read-handles-config.js";
import * as schema from "./schema.js";
import { createHandleService } from "./service.js";

/** The directory: its RPCs, the resolution cache's invalidation subscriber and the outbox pruner. */
export const handlesService: ServiceDefinition<typeof schema> = {
  name: "handles",
  schema,
  migrationsFolder: new URL("../drizzle", import.meta.url).pathname,
  setup(ctx) {
    const config = readHandlesConfig(ctx.env, ctx.config.nodeEnv);
    const { db, sql } = ctx.database;
    const cache = createResolutionCache({
      redis: ctx.redis,
      prefix: config.redisPrefix,
      keyring: config.keyring,
      logger: ctx.logger.child({ component: "resolution-cache" }),
      registry: ctx.metrics.registry,
      ...config.cache,
      load: createResolutionLoader(db, config.keyring),
    });
    const limiter = createLookupLimiter({
      redis: ctx.redis,
      logger: ctx.logger.child({ component: "lookup-limiter" }),
      prefix: config.redisPrefix,
      ...config.bucket,
    });
    const pruner = createOutboxPruner({
      sql,
      logger: ctx.logger.child({ component: "outbox-pruner" }),
      retentionMs: config.outboxRetentionMs,
      intervalMs: config.outboxPruneIntervalMs,
    });
    const impl = createHandleService({
      db,
      keyring: config.keyring,
      ledger: ctx.clientFor(LedgerService, "ledger"),
      cache,
      limiter,
      subject: ctx.subject,
      network: config.network,
      cooldownSeconds: config.cooldownSeconds,
    });
    return {
      services: [{ service: HandleService, impl }],
      workers: [{ name: "resolution-cache", start: () => cache.start(), stop: () => cache.stop() }, pruner],
    };
  },
};

if (isMainModule(import.meta.url)) await runService(handlesService);
