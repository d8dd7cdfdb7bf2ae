import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "@paymesh/bench";
import { DRILL_SCENARIOS } from "./drill-scenarios.js";
import { printScenario } from "./print-scenario.js";
import { type RunScenarioOptions, runScenario } from "./run-scenario.js";
import type { ScenarioResult } from "./scenario-result.js";

export interface RunDrillOptions extends Partial<RunScenarioOptions> {
  /** Scenario names to run. Default every one, in DRILL_SCENARIOS order. */
  only?: string[];
  /** Default `.bench/drill.json` in the repository: rewritten after each scenario, so an interrupted drill keeps what it found. */
  output?: string;
}

/**
 * Runs the drills one after another (a failing one never stops the rest), printing each one's
 * tables as it ends, then a summary; writes every result as JSON. Resolves true when every
 * invariant held in every drill.
 */
export async function runDrill(options: RunDrillOptions = {}): Promise<boolean> {
  const unknown = (options.only ?? []).filter((name) => !DRILL_SCENARIOS.some((s) => s.name === name));
  if (unknown.length > 0)
    throw new Error(`no drill named ${unknown.join(", ")} (there are: ${DRILL_SCENARIOS.map((s) => s.name).join(", ")})`);
  const chosen = options.only?.length ? DRILL_SCENARIOS.filter((s) => options.only!.includes(s.name)) : DRILL_SCENARIOS;
  const output = options.output ?? join(REPO_ROOT, ".bench", "drill.json");
  mkdirSync(join(output, ".."), { recursive: true });
  const logRoot = options.logRoot ?? join(REPO_ROOT, ".bench", "logs", "drill");
  const results: ScenarioResult[] = [];
  for (const scenario of chosen) {
    console.log(`\n--- ${scenario.name}: ${scenario.fault}`);
    const result = await runScenario(scenario, { ...options, logRoot });
    results.push(result);
    printScenario(result);
    writeFileSync(output, JSON.stringify({ at: new Date().toISOString(), node: process.version, results }, null, 2));
  }
  console.log("\nDrill summary: checks asserted (ok), figures reported");
  console.table(
    results.map((r) => ({
      scenario: r.scenario,
      ok: r.ok ? "PASS" : "FAIL",
      "completed/s before/during/after": r.availability
        ? (["before", "during", "after"] as const).map((p) => r.availability!.completedPerSecond[p].toFixed(0)).join(" / ")
        : "-",
      "longest gap s": r.availability ? (r.availability.longestGapMs / 1000).toFixed(1) : "-",
      "given up": r.payments?.gaveUp ?? "-",
      failing: [...r.checks.filter((c) => !c.ok).map((c) => c.check), ...(r.error ? ["did not finish"] : [])].join(", "),
    })),
  );
  console.log(`written ${output}`);
  return results.every((r) => r.ok);
}
