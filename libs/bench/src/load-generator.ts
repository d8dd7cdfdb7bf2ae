// The load generator's process: runs one LoadSpec (from BENCH_LOAD_SPEC) against services in
// other processes and reports on stdout, one JSON object per line: `start` when the measured
// window opens (the parent samples every process's CPU then) and `result` when it closes, with
// the scenario's own record when its operation keeps one.
import { join } from "node:path";
import type { LoadSpec } from "./load-spec.js";
import { runClosedLoop } from "./run-closed-loop.js";
import { runFixedRate } from "./run-fixed-rate.js";
import type { Scenario } from "./scenario.js";
import { REPO_ROOT } from "./spawn-node-process.js";

const spec = JSON.parse(process.env.BENCH_LOAD_SPEC ?? "") as LoadSpec;
const { scenarios } = (await import(join(REPO_ROOT, spec.module))) as { scenarios: Record<string, Scenario> };
const scenario = scenarios[spec.scenario];
if (scenario === undefined) throw new Error(`${spec.module} has no scenario ${spec.scenario}`);
const built = await scenario(spec.params ?? {});
const { op, record } = typeof built === "function" ? { op: built, record: undefined } : built;
const warmupMs = spec.warmupMs ?? 1_000;
if (warmupMs > 0) await runClosedLoop({ name: "warm-up", concurrency: spec.concurrency ?? 16, durationMs: warmupMs, op });

const say = (message: object) => new Promise<void>((resolve) => process.stdout.write(`${JSON.stringify(message)}\n`, () => resolve()));
await say({ type: "start" });
const cpuBefore = process.cpuUsage();
const common = { name: spec.name, durationMs: spec.durationMs, op, itemsPerOp: spec.itemsPerOp };
const result =
  spec.mode === "closed-loop"
    ? await runClosedLoop({ ...common, concurrency: spec.concurrency ?? 32 })
    : await runFixedRate({ ...common, rate: spec.rate ?? 100, maxInFlight: spec.maxInFlight });
const cpu = process.cpuUsage(cpuBefore);
await say({ type: "result", result, cpuSeconds: (cpu.user + cpu.system) / 1e6, record: record?.() });
process.exit(0);
