import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { LoadResult } from "./load-result.js";
import type { MeasuredLoad } from "./run-load-process.js";
import { REPO_ROOT } from "./spawn-node-process.js";

const fmt = (n: number | undefined, digits = 2) => (n !== undefined && Number.isFinite(n) ? n.toFixed(digits) : "-");

/**
 * Prints results as a table: each row's items/s as a ratio to the baseline row of the same run,
 * its percentiles, and (for loads run in a process of their own) the CPU milliseconds each
 * process spent per item (per call, or per entry of a batch call). Writes them as JSON to `.bench/<part>.json` for tracking.
 */
export function report(
  part: string,
  results: Array<LoadResult | MeasuredLoad>,
  baseline: string,
  extra: Record<string, unknown> = {},
): void {
  const base = results.find((r) => r.name === baseline);
  const baseRate = base ? base.throughput * base.itemsPerOp : Number.NaN;
  const rows = results.map((r) => {
    const items = r.throughput * r.itemsPerOp;
    const cpu = "cpuMsPerOp" in r ? r.cpuMsPerOp : {};
    return {
      scenario: r.name,
      load: r.mode === "fixed-rate" ? `${r.targetRate}/s` : `c=${r.concurrency}`,
      "items/s": fmt(items, 0),
      "× ceiling": fmt(items / baseRate),
      "p50 ms": fmt(r.p50),
      "p90 ms": fmt(r.p90),
      "p99 ms": fmt(r.p99),
      errors: String(r.errors),
      ...Object.fromEntries(Object.entries(cpu).map(([name, ms]) => [`${name} ms`, fmt(ms, 3)])),
    };
  });
  console.log(`\n${part}: rates in items/s, × ceiling against "${baseline}", "<process> ms" = CPU milliseconds per item`);
  console.table(rows);
  const dir = join(REPO_ROOT, ".bench");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${part}.json`);
  writeFileSync(file, JSON.stringify({ part, at: new Date().toISOString(), node: process.version, baseline, results, ...extra }, null, 2));
  console.log(`written ${file}`);
}
