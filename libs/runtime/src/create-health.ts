import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import {
  type Health,
  HealthCheckResponseSchema,
  HealthCheckResponse_ServingStatus as ServingStatus,
} from "@paymesh/gen/grpc/health/v1/health_pb";

export { ServingStatus };

/** Serving status per service name, as `grpc.health.v1.Health` reports it. */
export interface HealthState {
  /** The `grpc.health.v1.Health` implementation backed by this state. */
  readonly service: Partial<ServiceImpl<typeof Health>>;
  /** Marks every registered name (and the overall "" entry) as serving or not. */
  setAll(status: ServingStatus): void;
  status(name: string): ServingStatus | undefined;
}

/**
 * Health for the given fully-qualified service names plus the overall "" entry. All start
 * NOT_SERVING, so nothing routes to a process before it says it is ready.
 */
export function createHealth(serviceNames: readonly string[]): HealthState {
  const statuses = new Map<string, ServingStatus>([["", ServingStatus.NOT_SERVING]]);
  for (const name of serviceNames) statuses.set(name, ServingStatus.NOT_SERVING);
  const watchers = new Set<() => void>();
  const notify = () => {
    for (const wake of watchers) wake();
  };
  const response = (status: ServingStatus) => create(HealthCheckResponseSchema, { status });

  return {
    setAll(status) {
      for (const name of statuses.keys()) statuses.set(name, status);
      notify();
    },
    status: (name) => statuses.get(name),
    service: {
      check(req) {
        const status = statuses.get(req.service);
        if (status === undefined) throw new ConnectError(`unknown service "${req.service}"`, Code.NotFound);
        return response(status);
      },
      list() {
        return { statuses: Object.fromEntries([...statuses].map(([name, status]) => [name, response(status)])) };
      },
      async *watch(req, ctx) {
        // Per the protocol, an unknown service is watched as SERVICE_UNKNOWN, not an error.
        const current = () => statuses.get(req.service) ?? ServingStatus.SERVICE_UNKNOWN;
        let wake: () => void = () => {};
        const register = () => {
          const changed = new Promise<void>((resolve) => (wake = resolve));
          watchers.add(wake);
          return changed;
        };
        const aborted = new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve(), { once: true }));
        try {
          let last: ServingStatus | undefined;
          while (!ctx.signal.aborted) {
            const changed = register();
            const status = current();
            if (status !== last) {
              yield response(status);
              last = status;
            }
            await Promise.race([changed, aborted]);
            watchers.delete(wake);
          }
        } finally {
          watchers.delete(wake);
        }
      },
    },
  };
}
