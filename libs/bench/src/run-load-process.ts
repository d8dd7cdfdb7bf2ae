import { createInterface } from "node:readline";
import type { CpuSource } from "./cpu-source.js";
import type { LoadResult } from "./load-result.js";
import type { LoadSpec } from "./load-spec.js";
import { spawnNodeProcess } from "./spawn-node-process.js";

/** A load's result with the CPU each process spent per operation during the measured window. */
export interface MeasuredLoad extends LoadResult {
  /**
   * Milliseconds of CPU per item (an operation's items, e.g. a batch call's entries), by process;
   * `load` is the load generator itself.
   */
  cpuMsPerOp: Record<string, number>;
  /** What the scenario's operation recorded itself (see RecordingOperation); undefined when it keeps no record. */
  record?: unknown;
}

export interface RunLoadProcessOptions {
  /**
   * Called when the measured window opens (after the warm-up), so a caller can time what it does
   * to the system under load, e.g. inject a fault a few seconds in. Default none.
   */
  onStart?: () => void;
}

/**
 * Runs a load in a load-generator process of its own, so the generator's CPU is never taken
 * from the processes it measures, and charges each process in `cpu` with what it spent
 * between the generator's `start` and `result` messages.
 */
export async function runLoadProcess(
  spec: LoadSpec,
  cpu: readonly CpuSource[],
  options: RunLoadProcessOptions = {},
): Promise<MeasuredLoad> {
  const generator = spawnNodeProcess({
    name: "load-generator",
    entry: "libs/bench/src/load-generator.ts",
    env: { ...process.env, BENCH_LOAD_SPEC: JSON.stringify(spec) },
  });
  const sample = async () => Object.fromEntries(await Promise.all(cpu.map(async (source) => [source.name, await source.read()] as const)));
  const exited = new Promise<number | null>((resolve) => generator.child.once("exit", (code) => resolve(code)));
  let before: Record<string, number> | undefined;
  let after: Record<string, number> | undefined;
  let outcome: { result: LoadResult; cpuSeconds: number; record?: unknown } | undefined;
  for await (const line of createInterface({ input: generator.child.stdout! })) {
    const message = JSON.parse(line) as { type: "start" } | { type: "result"; result: LoadResult; cpuSeconds: number; record?: unknown };
    if (message.type === "start") {
      options.onStart?.();
      before = await sample();
    } else {
      after = await sample();
      outcome = message;
    }
  }
  const code = await exited;
  if (before === undefined || after === undefined || outcome === undefined) {
    throw new Error(`load generator for "${spec.name}" exited (code ${code}) without a result; see .bench/logs/load-generator.log`);
  }
  const ops = Math.max(1, outcome.result.completed * outcome.result.itemsPerOp);
  const cpuMsPerOp: Record<string, number> = {};
  for (const source of cpu) cpuMsPerOp[source.name] = ((after[source.name]! - before[source.name]!) * 1000) / ops;
  cpuMsPerOp.load = (outcome.result.completed > 0 ? outcome.cpuSeconds * 1000 : 0) / ops;
  return { ...outcome.result, cpuMsPerOp, record: outcome.record };
}
