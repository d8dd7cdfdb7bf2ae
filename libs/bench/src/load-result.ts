/** What one measured load produced. Latencies in milliseconds. */
export interface LoadResult {
  name: string;
  /** `fixed-rate`: an open loop at a set rate; `closed-loop`: N workers back to back. */
  mode: "fixed-rate" | "closed-loop";
  targetRate?: number;
  concurrency?: number;
  completed: number;
  errors: number;
  seconds: number;
  /** Operations per second (an operation may carry several items, see `itemsPerOp`). */
  throughput: number;
  /** Items per operation, e.g. entries per batch call; throughput × this = items/s. */
  itemsPerOp: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function summarize(
  base: Pick<LoadResult, "name" | "mode" | "targetRate" | "concurrency" | "itemsPerOp">,
  latencies: number[],
  errors: number,
  seconds: number,
): LoadResult {
  const sorted = Float64Array.from(latencies).sort();
  const at = (q: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
  return {
    ...base,
    completed: latencies.length,
    errors,
    seconds,
    throughput: latencies.length / seconds,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: sorted.length === 0 ? NaN : sorted[sorted.length - 1]!,
  };
}
