import type { FaultContext } from "./fault-scenario.js";

/**
 * A fault: `signal` to one process, then, once it exited, start it again as an orchestrator
 * would, retrying a start that fails (a process that exits before it is ready) for up to 30 s.
 */
export function signalAndRestart(process: string, signal: "SIGKILL" | "SIGTERM") {
  return async ({ mesh }: FaultContext): Promise<Record<string, string | number>> => {
    const target = mesh.process(process);
    const exit = await target.signal(signal);
    const restarting = Date.now();
    let lastError = "";
    while (Date.now() - restarting < 30_000) {
      try {
        await target.start();
        lastError = "";
        break;
      } catch (error) {
        lastError = error instanceof Error ? error.message : String(error);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
    return {
      exit: exit.signal ?? `code ${exit.code}`,
      exitMs: exit.ms,
      ...(lastError === "" ? { readyAgainMs: Date.now() - restarting } : { restartFailed: lastError }),
    };
  };
}
