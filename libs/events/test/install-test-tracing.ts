import { context, propagation, type Tracer, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";

/** Real OpenTelemetry wiring for a test file: spans recorded in memory, W3C propagation, async context. */
export interface TestTracing {
  tracer: Tracer;
  exporter: InMemorySpanExporter;
  uninstall(): void;
}

/**
 * Installs what a service's tracing setup installs (context manager, W3C propagator, an SDK
 * tracer provider), recording finished spans in memory. Globals are per process, and vitest
 * runs each test file in its own, so files cannot disturb each other.
 */
export function installTestTracing(): TestTracing {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  return {
    tracer: trace.getTracer("test"),
    exporter,
    uninstall() {
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}
