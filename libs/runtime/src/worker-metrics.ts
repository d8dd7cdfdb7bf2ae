import { Counter, Histogram, type Registry } from "prom-client";

/** The metrics every interval worker reports, told apart by the `worker` label. */
export interface WorkerMetrics {
  readonly passes: Counter<"worker">;
  readonly errors: Counter<"worker">;
  readonly duration: Histogram<"worker">;
}

// prom-client refuses a second metric of the same name in one registry, and a service runs
// several workers on its one registry: they share one set.
const byRegistry = new WeakMap<Registry, WorkerMetrics>();

export function workerMetricsFor(registry: Registry): WorkerMetrics {
  let metrics = byRegistry.get(registry);
  if (metrics === undefined) {
    metrics = {
      passes: new Counter({
        name: "worker_passes_total",
        help: "Passes a background worker ran, failed or not.",
        labelNames: ["worker"],
        registers: [registry],
      }),
      errors: new Counter({
        name: "worker_pass_errors_total",
        help: "Passes a background worker ran that failed.",
        labelNames: ["worker"],
        registers: [registry],
      }),
      duration: new Histogram({
        name: "worker_pass_duration_seconds",
        help: "Time a background worker's pass took.",
        labelNames: ["worker"],
        // From a pass that finds nothing to do (milliseconds) to one working off a backlog (a minute).
        buckets: [0.001, 0.005, 0.025, 0.1, 0.5, 2.5, 10, 60],
        registers: [registry],
      }),
    };
    byRegistry.set(registry, metrics);
  }
  return metrics;
}
