import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

export interface Metrics {
  readonly registry: Registry;
  readonly interceptor: Interceptor;
  /**
   * Counts a call the interceptor never saw, by its method (`package.Service/Method`) and final
   * code (codeName), timed from `startedAt` (process.hrtime.bigint()): one refused before its
   * request was read.
   */
  record(method: string, code: string, startedAt: bigint): void;
}

export interface MetricsOptions {
  service: string;
  /** Whether to add Node's process metrics (event loop lag, heap, GC). Default true. */
  processMetrics?: boolean;
}

/**
 * A registry per service (not the global one) so several services can run in one process
 * in tests, with RPC count and duration by method and final code.
 */
export function createMetrics(options: MetricsOptions): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: options.service });
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: "rpc_server_requests_total",
    help: "RPCs handled, by method and final code.",
    labelNames: ["method", "code"],
    registers: [registry],
  });
  const duration = new Histogram({
    name: "rpc_server_duration_seconds",
    help: "Time to handle an RPC, by method and final code.",
    labelNames: ["method", "code"],
    // Sub-millisecond buckets because handle resolution targets p50 < 1 ms.
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const record = (method: string, code: string, start: bigint) => {
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    requests.inc({ method, code });
    duration.observe({ method, code }, seconds);
  };
  const interceptor: Interceptor = (next) => async (req) => {
    const start = process.hrtime.bigint();
    const method = `${req.service.typeName}/${req.method.name}`;
    try {
      const res = await next(req);
      record(method, "ok", start);
      return res;
    } catch (error) {
      record(method, codeName(error), start);
      throw error;
    }
  };
  return { registry, interceptor, record };
}

export function codeName(error: unknown): string {
  const code = error instanceof ConnectError ? error.code : Code.Unknown;
  return Code[code].replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();
}
