import type { FaultContext } from "./fault-scenario.js";

/** A fault: the drill's NATS or Redis server stopped for `ms`, then started again on the same port. */
export function takeDown(server: "nats" | "redis", ms: number) {
  return async ({ infra }: FaultContext): Promise<Record<string, string | number>> => {
    const daemon = infra[server];
    await daemon.down();
    const down = Date.now();
    await new Promise((resolve) => setTimeout(resolve, ms));
    await daemon.up();
    return { downMs: Date.now() - down };
  };
}
