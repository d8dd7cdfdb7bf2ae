import type { ServiceImpl } from "@connectrpc/connect";
import { type EchoService, FailDetailSchema, FailRequest_Kind } from "@paymesh/gen/paymesh/testing/v1/echo_pb";
import { DomainError, errorDetail, principalOf } from "@paymesh/runtime";

/**
 * The test-only EchoService: a real handler on the real runtime, used by the runtime's
 * tests and as the benchmarks' ceiling (a bare RPC with no domain work).
 */
export function createEchoService(): ServiceImpl<typeof EchoService> {
  return {
    echo(req, ctx) {
      const { subject, role } = principalOf(ctx);
      return { message: req.message, subject, role };
    },
    fail(req) {
      switch (req.kind) {
        case FailRequest_Kind.NOT_FOUND:
          throw new DomainError("not_found", "no such thing");
        case FailRequest_Kind.PRECONDITION:
          throw new DomainError("failed_precondition", "not now", { "retry-after-ms": "1000" });
        case FailRequest_Kind.DETAILED:
          throw new DomainError("failed_precondition", "words nobody should parse", {}, [
            errorDetail(FailDetailSchema, { reason: "detailed", ids: ["a", "b"] }),
          ]);
        default:
          throw new Error('relation "secret_table" does not exist at /srv/app/db.ts:42');
      }
    },
    async sleep(req, ctx) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, req.millis);
        ctx.signal.addEventListener("abort", () => {
          clearTimeout(timer);
          resolve();
        });
      });
      return { millis: req.millis };
    },
    async *tick(req, ctx) {
      for (let seq = 1; seq <= req.count && !ctx.signal.aborted; seq++) {
        if (seq > 1) await new Promise((resolve) => setTimeout(resolve, req.intervalMillis));
        yield { seq };
      }
    },
  };
}
