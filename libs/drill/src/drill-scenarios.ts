import type { FaultScenario } from "./fault-scenario.js";
import { signalAndRestart } from "./signal-and-restart.js";
import { takeDown } from "./take-down.js";

const SERVICES = ["handles", "ledger", "transfers"] as const;

/** How long NATS and Redis stay down: long enough for every client, pool and consumer to notice. */
const OUTAGE_MS = 10_000;

/** Payments offered per second in the max-rate drills: several times what the mesh serves on two cores. */
const MAX_RATE_OFFERED = 600;

/** Every drill, in the order `npm run drill` runs them. */
export const DRILL_SCENARIOS: readonly FaultScenario[] = [
  ...SERVICES.map((service) => ({
    name: `sigkill-${service}`,
    fault: `SIGKILL ${service} mid-load, then start it again`,
    inject: signalAndRestart(service, "SIGKILL"),
  })),
  ...SERVICES.map((service) => ({
    name: `sigterm-${service}`,
    fault: `SIGTERM ${service} mid-load (graceful stop), then start it again`,
    inject: signalAndRestart(service, "SIGTERM"),
  })),
  { name: "nats-down", fault: `NATS stopped for ${OUTAGE_MS / 1000} s, then started again`, inject: takeDown("nats", OUTAGE_MS) },
  {
    name: "redis-down",
    fault: `Redis stopped for ${OUTAGE_MS / 1000} s, then started again (empty)`,
    inject: takeDown("redis", OUTAGE_MS),
  },
  {
    name: "postgres-restart",
    fault: "Postgres restarted (pg_ctl restart -m fast): every session cut",
    async inject({ infra }) {
      const started = Date.now();
      await infra.postgres.restart();
      return { restartMs: Date.now() - started };
    },
  },
  ...(["transfers", "ledger"] as const).map((service) => ({
    name: `max-rate-sigkill-${service}`,
    fault: `SIGKILL ${service} with ${MAX_RATE_OFFERED} payments a second offered (beyond what the mesh serves), then start it again`,
    offeredPerSecond: MAX_RATE_OFFERED,
    // Lookups are metered per payer; at this rate the default bucket would refuse most of them.
    env: { HANDLES_BUCKET_CAPACITY: "1000000", HANDLES_BUCKET_REFILL_PER_MINUTE: "1000000" },
    inject: signalAndRestart(service, "SIGKILL"),
  })),
  {
    name: "two-instances",
    fault: `none: two processes of each service, the load spread over both; "during" is a ${OUTAGE_MS / 1000} s slot like the others'`,
    instances: 2,
    async inject() {
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
      return {};
    },
  },
];
