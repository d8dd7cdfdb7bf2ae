import type { NodeProcess } from "./spawn-node-process.js";

/** Waits until `baseUrl/readyz` answers 200, failing early if the process exits first. */
export async function waitReady(process: NodeProcess, baseUrl: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (process.child.exitCode !== null)
      throw new Error(`${process.name} exited (code ${process.child.exitCode}) before it was ready; see .bench/logs`);
    const ready = await fetch(new URL("/readyz", baseUrl)).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${process.name} was not ready within ${timeoutMs / 1000} s; see .bench/logs`);
}
