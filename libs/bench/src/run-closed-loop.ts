import { type LoadResult, summarize } from "./load-result.js";

export interface ClosedLoopOptions {
  name: string;
  /** Workers, each starting its next operation when the last one finishes. */
  concurrency: number;
  durationMs: number;
  op: (i: number) => Promise<unknown>;
  itemsPerOp?: number;
}

/** The most a system sustains: N workers back to back for a fixed time. */
export async function runClosedLoop(options: ClosedLoopOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const start = performance.now();
  const end = start + options.durationMs;
  const worker = async () => {
    while (performance.now() < end) {
      const i = next++;
      const t0 = performance.now();
      try {
        await options.op(i);
        latencies.push(performance.now() - t0);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const seconds = (performance.now() - start) / 1000;
  return summarize(
    { name: options.name, mode: "closed-loop", concurrency: options.concurrency, itemsPerOp: options.itemsPerOp ?? 1 },
    latencies,
    errors,
    seconds,
  );
}
