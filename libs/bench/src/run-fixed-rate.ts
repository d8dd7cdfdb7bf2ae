import { type LoadResult, summarize } from "./load-result.js";

export interface FixedRateOptions {
  name: string;
  /** Operations started per second. */
  rate: number;
  durationMs: number;
  op: (i: number) => Promise<unknown>;
  /**
   * Operations allowed in flight before new starts are counted as errors rather than
   * queued without bound. Default rate (one second of work).
   */
  maxInFlight?: number;
  itemsPerOp?: number;
}

/**
 * An open loop: operations start on a fixed schedule whether or not earlier ones have
 * finished, and latency counts from the scheduled start, so a stall shows in the tail
 * instead of silently lowering the offered load (no coordinated omission).
 */
export async function runFixedRate(options: FixedRateOptions): Promise<LoadResult> {
  const total = Math.round((options.rate * options.durationMs) / 1000);
  const interval = 1000 / options.rate;
  const maxInFlight = options.maxInFlight ?? Math.max(1, options.rate);
  const latencies: number[] = [];
  const running = new Set<Promise<void>>();
  let errors = 0;
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const scheduled = start + i * interval;
    const wait = scheduled - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    if (running.size >= maxInFlight) {
      errors++;
      continue;
    }
    const p: Promise<void> = options.op(i).then(
      () => void latencies.push(performance.now() - scheduled),
      () => void errors++,
    );
    running.add(p);
    void p.finally(() => running.delete(p));
  }
  await Promise.all(running);
  const seconds = (performance.now() - start) / 1000;
  return summarize(
    { name: options.name, mode: "fixed-rate", targetRate: options.rate, itemsPerOp: options.itemsPerOp ?? 1 },
    latencies,
    errors,
    seconds,
  );
}
