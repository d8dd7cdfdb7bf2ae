import type { Interceptor } from "@connectrpc/connect";
import { ConnectError } from "@connectrpc/connect";
import { context, propagation, SpanKind, SpanStatusCode, type TextMapGetter, type TextMapSetter, trace } from "@opentelemetry/api";

const tracer = trace.getTracer("paymesh-runtime");

const headerGetter: TextMapGetter<Headers> = {
  keys: (carrier) => [...carrier.keys()],
  get: (carrier, key) => carrier.get(key) ?? undefined,
};

const headerSetter: TextMapSetter<Headers> = {
  set: (carrier, key, value) => carrier.set(key, value),
};

/**
 * A SERVER span per RPC, child of the caller's `traceparent`; the handler runs inside it
 * so outgoing calls and appended events carry the same trace.
 */
export function createServerTracingInterceptor(): Interceptor {
  return (next) => async (req) => {
    const parent = propagation.extract(context.active(), req.header, headerGetter);
    const span = tracer.startSpan(
      `${req.service.typeName}/${req.method.name}`,
      {
        kind: SpanKind.SERVER,
        attributes: { "rpc.system": "connect_rpc", "rpc.service": req.service.typeName, "rpc.method": req.method.name },
      },
      parent,
    );
    try {
      return await context.with(trace.setSpan(parent, span), () => next(req));
    } catch (error) {
      endWithError(span, error);
      throw error;
    } finally {
      span.end();
    }
  };
}

/** A CLIENT span per outgoing RPC, with its context injected as `traceparent`. */
export function createClientTracingInterceptor(): Interceptor {
  return (next) => async (req) => {
    const span = tracer.startSpan(`${req.service.typeName}/${req.method.name}`, {
      kind: SpanKind.CLIENT,
      attributes: { "rpc.system": "connect_rpc", "rpc.service": req.service.typeName, "rpc.method": req.method.name },
    });
    const ctx = trace.setSpan(context.active(), span);
    propagation.inject(ctx, req.header, headerSetter);
    try {
      return await context.with(ctx, () => next(req));
    } catch (error) {
      endWithError(span, error);
      throw error;
    } finally {
      span.end();
    }
  };
}

function endWithError(span: ReturnType<typeof tracer.startSpan>, error: unknown) {
  const code = error instanceof ConnectError ? error.code : undefined;
  span.setAttribute("rpc.connect_rpc.error_code", String(code ?? "unknown"));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}
