import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { LoadResult } from "./load-result.js";

const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : "-");

/**
 * Prints results as a table with each row's items/s as a ratio to the baseline row, and
 * writes them as JSON under `.bench/<part>.json` (with the machine it ran on) for tracking.
 */
export function report(part: string, results: LoadResult[], baseline: string, extra: Record<string, unknown> = {}): void {
  const base = results.find((r) => r.name === baseline);
  const baseRate = base ? base.throughput * base.itemsPerOp : NaN;
  const rows = results.map((r) => {
    const items = r.throughput * r.itemsPerOp;
    return {
      scenario: r.name,
      load: r.mode === "fixed-rate" ? `${r.targetRate}/s` : `c=${r.concurrency}`,
      "items/s": fmt(items, 0),
      [`× ${baseline}`]: fmt(items / baseRate),
      "p50 ms": fmt(r.p50),
      "p90 ms": fmt(r.p90),
      "p99 ms": fmt(r.p99),
      "max ms": fmt(r.max),
      errors: String(r.errors),
    };
  });
  console.log(`\n${part}`);
  console.table(rows);
  const dir = join(process.cwd(), ".bench");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${part}.json`);
  writeFileSync(file, JSON.stringify({ part, at: new Date().toISOString(), node: process.version, baseline, results, ...extra }, null, 2));
  console.log(`written ${file}`);
}
