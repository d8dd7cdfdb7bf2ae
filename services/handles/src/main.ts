import { HandleService } from "@paymesh/gen/paymesh/handles/v1/handles_pb";
import { LedgerService } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import { isMainModule, runService, type ServiceDefinition } from "@paymesh/runtime";
import { createLookupLimiter } from "./create-lookup-limiter.js";
import { createLookupPolicyFollower } from "./create-lookup-policy-follower.js";
import { createLookupPolicyStore } from "./create-lookup-policy-store.js";
import { createResolutionCache } from "./create-resolution-cache.js";
import { createResolutionLoader } from "./create-resolution-loader.js";
import { readHandlesConfig } from "./read-handles-config.js";
import * as schema from "./schema.js";
import { createHandleService } from "./service.js";

/** The directory: its RPCs, the resolution cache's invalidation subscriber and the lookup policy's follower. */
export const handlesService: ServiceDefinition<typeof schema> = {
  name: "handles",
  schema,
  migrationsFolder: new URL("../drizzle", import.meta.url).pathname,
  // The events carry the account id and owner in the clear (their consumers need them): kept,
  // published outbox rows would hold, beside the `handles` table that encrypts them, the very
  // plaintext it hides. So they go after a minute, pruned every 5 s, instead of after a week.
  retention: { outboxMs: 60_000, intervalMs: 5_000 },
  setup(ctx) {
    const config = readHandlesConfig(ctx.env, ctx.config.nodeEnv);
    const { db } = ctx.database;
    const cache = createResolutionCache({
      redis: ctx.redis,
      prefix: config.redisPrefix,
      keyring: config.keyring,
      logger: ctx.logger.child({ component: "resolution-cache" }),
      registry: ctx.metrics.registry,
      ...config.cache,
      redisTimeoutMs: config.redisTimeoutMs,
      load: createResolutionLoader(db, config.keyring),
    });
    const policyChanged = ctx.subject("lookup_policy_changed");
    const policies = createLookupPolicyStore({ db, defaults: config.bucket, subject: policyChanged });
    const limiter = createLookupLimiter({
      redis: ctx.redis,
      logger: ctx.logger.child({ component: "lookup-limiter" }),
      registry: ctx.metrics.registry,
      prefix: config.redisPrefix,
      policy: policies.current,
      redisTimeoutMs: config.redisTimeoutMs,
    });
    const impl = createHandleService({
      db,
      keyring: config.keyring,
      ledger: ctx.clientFor(LedgerService, "ledger"),
      cache,
      limiter,
      policies,
      subject: ctx.subject,
      network: config.network,
      cooldownSeconds: config.cooldownSeconds,
    });
    return {
      services: [{ service: HandleService, impl }],
      workers: [
        { name: "resolution-cache", start: () => cache.start(), stop: () => cache.stop() },
        createLookupPolicyFollower({
          store: policies,
          nats: ctx.nats,
          subject: policyChanged,
          intervalMs: config.lookupPolicyRefreshMs,
          logger: ctx.logger.child({ component: "lookup-policy" }),
          registry: ctx.metrics.registry,
        }),
      ],
    };
  },
};

if (isMainModule(import.meta.url)) await runService(handlesService);
