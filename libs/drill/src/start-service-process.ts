import { join } from "node:path";
import { type NodeProcess, spawnNodeProcess, waitReady } from "@paymesh/bench";
import type { ServiceName } from "@paymesh/runtime";

/** One end of a service process. */
export interface ProcessExit {
  process: string;
  /** Wall-clock milliseconds. */
  at: number;
  code: number | null;
  signal: string | null;
  /** True when the drill or the mesh's stop signalled it; false is a crash. */
  requested: boolean;
  /** The log of the run that ended. */
  log: string;
}

/** A service process the drill can signal and start again, restarted after a crash as an orchestrator would. */
export interface ServiceProcess {
  readonly name: string;
  readonly service: ServiceName;
  readonly url: string;
  /** Every exit so far, requested or not, oldest first. */
  readonly exits: readonly ProcessExit[];
  /**
   * Sends `signal` and waits for the process to exit, sending SIGKILL if it is still running
   * after `graceMs` (default 30 s: a SIGTERM'd service drains for SHUTDOWN_GRACE_MS, 10 s, then
   * stops its workers). Resolves with the exit and how long it took.
   */
  signal(signal: NodeJS.Signals, graceMs?: number): Promise<ProcessExit & { ms: number }>;
  /** Starts it unless it runs, and waits until its /readyz answers 200 (or it exits: an error). */
  start(): Promise<void>;
  /** Whether its /readyz answers 200 now. */
  ready(): Promise<boolean>;
  /** Stops it for good: SIGTERM, SIGKILL after 15 s, and no restart. */
  stop(): Promise<void>;
}

export interface ServiceProcessOptions {
  name: string;
  service: ServiceName;
  url: string;
  env: Record<string, string | undefined>;
  /** Each run logs to `<logDir>/<name>-<run>.log`, so a restart keeps the crashed run's log. */
  logDir: string;
  /** How long after a crash it is started again. Default 1 000 ms, an orchestrator's first back-off. */
  restartDelayMs?: number;
}

/** A service's `src/main.ts` in a process of its own (see spawnNodeProcess), not yet started. */
export function createServiceProcess(options: ServiceProcessOptions): ServiceProcess {
  const exits: ProcessExit[] = [];
  let current: NodeProcess | undefined;
  let runs = 0;
  let requested = false;
  let stopped = false;
  let starting: Promise<void> | undefined;

  const spawnRun = () => {
    runs += 1;
    const log = join(options.logDir, `${options.name}-${runs}.log`);
    const run = spawnNodeProcess({ name: options.name, entry: `services/${options.service}/src/main.ts`, env: options.env, logFile: log });
    current = run;
    run.child.once("exit", (code, signal) => {
      exits.push({ process: options.name, at: Date.now(), code, signal, requested, log });
      const crashed = !requested;
      requested = false;
      if (current === run) current = undefined;
      if (crashed && !stopped) {
        // A run that dies again before it is ready lands here once more (recorded, restarted), so
        // the failed start itself needs no handling.
        setTimeout(() => {
          if (!stopped && current === undefined) start().catch(() => {});
        }, options.restartDelayMs ?? 1_000);
      }
    });
    return run;
  };

  const start = () =>
    (starting ??= (async () => {
      try {
        await waitReady(current ?? spawnRun(), options.url);
      } finally {
        starting = undefined;
      }
    })());

  return {
    name: options.name,
    service: options.service,
    url: options.url,
    exits,
    start,
    async signal(signal, graceMs = 30_000) {
      const run = current;
      if (run === undefined) throw new Error(`${options.name} is not running`);
      const sent = Date.now();
      const exited = new Promise<void>((resolve) => run.child.once("exit", () => resolve()));
      requested = true;
      run.child.kill(signal);
      const timer = setTimeout(() => run.child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
      const exit = exits.at(-1)!;
      return { ...exit, ms: exit.at - sent };
    },
    ready: () =>
      fetch(new URL("/readyz", options.url), { signal: AbortSignal.timeout(2_000) }).then(
        (response) => response.ok,
        () => false,
      ),
    async stop() {
      stopped = true;
      const run = current;
      if (run === undefined) return;
      requested = true;
      await run.stop();
    },
  };
}
