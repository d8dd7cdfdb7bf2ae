import { join } from "node:path";
import { REPO_ROOT } from "@paymesh/bench";
import { expect, it } from "vitest";
import { DRILL_SCENARIOS } from "./drill-scenarios.js";
import { runScenario } from "./run-scenario.js";

// The short version of `npm run drill -- two-instances`, to keep the drill machinery and the
// multi-instance path in every test run: its own Postgres, NATS and Redis, two processes of each
// service (each stack calling its own peers, sharing the databases), payment clients spread over
// both transfers instances, then every invariant the full drill asserts.

it("two instances of each service under payment load keep the money exact, settle everything and never crash", async () => {
  const twoInstances = DRILL_SCENARIOS.find((s) => s.name === "two-instances")!;
  const result = await runScenario(
    { ...twoInstances, inject: async () => ({}) },
    {
      logRoot: join(REPO_ROOT, ".bench", "logs", "drill-test"),
      beforeMs: 1_000,
      windowMs: 4_000,
      concurrency: 8,
      seed: { payers: 8, poorPayers: 2, payees: 4 },
      settleTimeoutMs: 20_000,
    },
  );
  expect(result.error).toBeUndefined();
  expect(result.checks.filter((c) => !c.ok)).toEqual([]);
  // Both outcomes happened (the poor payers run dry), so both sides of the entry check were exercised.
  expect(result.payments!.completed).toBeGreaterThan(0);
  expect(result.payments!.failed).toBeGreaterThan(0);
}, 120_000);
