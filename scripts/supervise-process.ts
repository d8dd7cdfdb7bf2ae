import type { ChildProcess } from "node:child_process";
import { createRestartPolicy, type RestartPolicy } from "./create-restart-policy.js";

/** How a supervised process ended, and when it starts again. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** How long it had run, in milliseconds. */
  uptimeMs: number;
  /** The pause before it is started again, in milliseconds. */
  restartInMs: number;
}

/** Options for {@link superviseProcess}. */
export interface SuperviseProcessOptions {
  /** Starts the process; called once at first and again for every restart. */
  start: () => ChildProcess;
  /** Default createRestartPolicy()'s: 0.5 s doubling to 30 s, forgiven after a minute up. */
  policy?: RestartPolicy;
  /** Told of each exit while supervised, before the restart is scheduled. Default: nothing. */
  onExit?: (exit: ProcessExit) => void;
}

export interface Supervisor {
  /** The process running now; undefined between an exit and its restart, and after stop(). */
  readonly child: ChildProcess | undefined;
  /**
   * Stops supervising: no further restart, SIGTERM to the running process, SIGKILL if it is
   * still there after `graceMs` (default 15 000). Resolves once it has exited.
   */
  stop(graceMs?: number): Promise<void>;
}

/** Keeps a process running: whenever it exits, it is started again after the policy's pause. */
export function superviseProcess({ start, policy = createRestartPolicy(), onExit = () => {} }: SuperviseProcessOptions): Supervisor {
  let child: ChildProcess | undefined;
  let restart: NodeJS.Timeout | undefined;
  let stopped = false;

  const launch = () => {
    restart = undefined;
    const started = Date.now();
    const current = start();
    child = current;
    current.once("exit", (code, signal) => {
      child = undefined;
      if (stopped) return;
      const uptimeMs = Date.now() - started;
      const restartInMs = policy.delayAfter(uptimeMs);
      onExit({ code, signal, uptimeMs, restartInMs });
      // onExit may have stopped supervision (the launcher does, for a configuration error).
      if (!stopped) restart = setTimeout(launch, restartInMs);
    });
  };
  launch();

  return {
    get child() {
      return child;
    },
    async stop(graceMs = 15_000) {
      stopped = true;
      clearTimeout(restart);
      const running = child;
      if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        running.once("exit", () => resolve());
        running.kill("SIGTERM");
        setTimeout(() => running.kill("SIGKILL"), graceMs).unref();
      });
    },
  };
}
