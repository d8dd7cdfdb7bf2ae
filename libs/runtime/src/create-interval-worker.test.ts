import { pino } from "pino";
import { Registry } from "prom-client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createIntervalWorker } from "./create-interval-worker.js";

const silent = pino({ level: "silent" });

/** A pass the test finishes by hand, to see what happens while one is in hand. */
function controlledPasses() {
  const finishers: Array<() => void> = [];
  let active = 0;
  let mostAtOnce = 0;
  const run = () =>
    new Promise<void>((resolve) => {
      active += 1;
      mostAtOnce = Math.max(mostAtOnce, active);
      finishers.push(() => {
        active -= 1;
        resolve();
      });
    });
  return {
    run,
    get started() {
      return finishers.length;
    },
    get mostAtOnce() {
      return mostAtOnce;
    },
    finish(index: number) {
      finishers[index]!();
    },
  };
}

describe("createIntervalWorker on a fake clock", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("runs its first pass one interval after start by default", async () => {
    const run = vi.fn(async () => {});
    const worker = createIntervalWorker({ name: "later", intervalMs: 1_000, run, logger: silent });
    await worker.start();
    await vi.advanceTimersByTimeAsync(999);
    expect(run).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(run).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(run).toHaveBeenCalledTimes(2);
    await worker.stop();
  });

  it("runs its first pass at once when asked to", async () => {
    const run = vi.fn(async () => {});
    const worker = createIntervalWorker({ name: "now", intervalMs: 60_000, run, logger: silent, firstRun: "immediately" });
    await worker.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(run).toHaveBeenCalledTimes(1);
    await worker.stop();
  });

  it("never overlaps passes: the next interval starts when a pass ends, and runOnce waits its turn", async () => {
    const passes = controlledPasses();
    const worker = createIntervalWorker({ name: "slow", intervalMs: 100, run: passes.run, logger: silent, firstRun: "immediately" });
    await worker.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(passes.started).toBe(1);
    const onDemand = worker.runOnce();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(passes.started).toBe(1);
    passes.finish(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(passes.started).toBe(2);
    passes.finish(1);
    await onDemand;
    await vi.advanceTimersByTimeAsync(100);
    expect(passes.started).toBe(3);
    passes.finish(2);
    await worker.stop();
    expect(passes.mostAtOnce).toBe(1);
  });

  it("stop() finishes the pass in hand, then runs no more", async () => {
    const passes = controlledPasses();
    const worker = createIntervalWorker({ name: "stopping", intervalMs: 100, run: passes.run, logger: silent, firstRun: "immediately" });
    await worker.start();
    await vi.advanceTimersByTimeAsync(0);
    let stopped = false;
    const stopping = worker.stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(stopped).toBe(false);
    passes.finish(0);
    await stopping;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(passes.started).toBe(1);
  });

  it("can be started again after a stop, with one schedule only", async () => {
    const run = vi.fn(async () => {});
    const worker = createIntervalWorker({ name: "restart", intervalMs: 100, run, logger: silent });
    await worker.start();
    await expect(worker.start()).rejects.toThrow(/already started/);
    await worker.stop();
    await worker.start();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(run).toHaveBeenCalledTimes(10);
    await worker.stop();
  });
});

describe("createIntervalWorker's errors and metrics", () => {
  it("logs and counts a failed pass, keeps its schedule, and counts every pass with its duration", async () => {
    const registry = new Registry();
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: "info" }, { write: (line: string) => lines.push(JSON.parse(line)) });
    let calls = 0;
    const failing = createIntervalWorker({
      name: "flaky",
      intervalMs: 10,
      firstRun: "immediately",
      logger,
      registry,
      run: async () => {
        calls += 1;
        if (calls === 1) throw new Error("database went away");
        return calls;
      },
    });
    // A second worker on the same registry shares the metrics rather than clashing with them.
    const quiet = createIntervalWorker({ name: "quiet", intervalMs: 10, run: async () => 0, logger, registry });
    await failing.start();
    await quiet.start();
    await vi.waitFor(() => expect(calls).toBeGreaterThanOrEqual(3));
    await failing.stop();
    await quiet.stop();

    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 50,
        worker: "flaky",
        msg: "worker pass failed",
        err: expect.objectContaining({ message: "database went away" }),
      }),
    );
    const text = await registry.metrics();
    expect(text).toContain('worker_pass_errors_total{worker="flaky"} 1');
    expect(text).toMatch(new RegExp(`worker_passes_total\\{worker="flaky"\\} ${calls}\\b`));
    expect(text).toMatch(new RegExp(`worker_pass_duration_seconds_count\\{worker="flaky"\\} ${calls}\\b`));
    expect(text).toMatch(/worker_passes_total\{worker="quiet"\} [1-9]/);
  });

  it("runOnce gives the pass's result, or its error", async () => {
    let fail = false;
    const worker = createIntervalWorker({
      name: "on-demand",
      intervalMs: 60_000,
      logger: silent,
      run: async () => {
        if (fail) throw new Error("refused");
        return 42;
      },
    });
    expect(await worker.runOnce()).toBe(42);
    fail = true;
    await expect(worker.runOnce()).rejects.toThrow("refused");
    fail = false;
    expect(await worker.runOnce()).toBe(42);
  });
});
