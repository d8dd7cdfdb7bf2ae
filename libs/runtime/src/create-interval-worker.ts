import type { Logger } from "pino";
import { Registry } from "prom-client";
import type { Worker } from "./start-service.js";
import { workerMetricsFor } from "./worker-metrics.js";

/** When an interval worker's first pass runs after `start()`. */
export type FirstRun = "immediately" | "after-interval";

export interface IntervalWorkerOptions<T> {
  /** Names the worker in `ServiceParts.workers`, in its log lines and in the `worker` label of its metrics. */
  name: string;
  /**
   * Pause between the end of one pass and the start of the next, in milliseconds. No default:
   * how stale a worker's table may get is each worker's own decision. Measured from the end of
   * a pass, so a slow pass delays the next one instead of overlapping it.
   */
  intervalMs: number;
  /** One pass. A pass that throws is logged and counted; the next one still runs on schedule. */
  run: () => Promise<T>;
  /**
   * Default "after-interval": a service that is starting has enough to do, and most passes can
   * wait one interval. "immediately" suits work that piled up while the service was down.
   */
  firstRun?: FirstRun;
  logger: Logger;
  /**
   * Where `worker_passes_total`, `worker_pass_errors_total` and `worker_pass_duration_seconds`
   * are registered: the service's (`ctx.metrics.registry`), so `/metrics` shows them. Default a
   * registry of its own, for tests and commands, which have no `/metrics`.
   */
  registry?: Registry;
}

/** A worker that repeats a pass; `runOnce()` runs one on demand (tests, operator commands). */
export interface IntervalWorker<T> extends Worker {
  /** Runs a pass now, after the pass in hand if there is one, and gives its result or its error. */
  runOnce(): Promise<T>;
}

/**
 * Runs `run` every `intervalMs` until stopped. Passes never overlap, whether the timer or
 * `runOnce()` asked for them: each waits for the one before. `stop()` cancels the next pass
 * and waits for the one in hand.
 */
export function createIntervalWorker<T>(options: IntervalWorkerOptions<T>): IntervalWorker<T> {
  const { name, intervalMs, run, logger, firstRun = "after-interval" } = options;
  const metrics = workerMetricsFor(options.registry ?? new Registry());
  const labels = { worker: name };
  // Zero from the start, so that an alert on the error rate sees the series before the first failure.
  metrics.passes.inc(labels, 0);
  metrics.errors.inc(labels, 0);
  let tail: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  // Bumped by every start and stop, so a pass that ends after a stop (or a stop and a new
  // start) does not schedule a second timer beside the current one.
  let generation = 0;
  let running = false;

  const pass = async (): Promise<T> => {
    const end = metrics.duration.startTimer(labels);
    try {
      return await run();
    } catch (error) {
      metrics.errors.inc(labels);
      logger.error({ err: error, worker: name }, "worker pass failed");
      throw error;
    } finally {
      end();
      metrics.passes.inc(labels);
    }
  };

  const runOnce = (): Promise<T> => {
    const result = tail.then(pass);
    tail = result.catch(() => {});
    return result;
  };

  const schedule = (delayMs: number, scheduledIn: number) => {
    timer = setTimeout(() => {
      timer = undefined;
      runOnce()
        .catch(() => {})
        .finally(() => {
          if (running && generation === scheduledIn) schedule(intervalMs, scheduledIn);
        });
    }, delayMs);
  };

  return {
    name,
    runOnce,
    async start() {
      if (running) throw new Error(`worker ${name} already started`);
      running = true;
      generation += 1;
      schedule(firstRun === "immediately" ? 0 : intervalMs, generation);
    },
    async stop() {
      running = false;
      generation += 1;
      clearTimeout(timer);
      timer = undefined;
      await tail;
    },
  };
}
