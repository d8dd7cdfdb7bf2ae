import { context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, type SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";

export interface TracingOptions {
  service: string;
  /** OTLP/HTTP endpoint; without it (and without `spanProcessors`) no SDK is installed. */
  otlpEndpoint?: string | undefined;
  /** Extra processors, e.g. an in-memory exporter in tests. */
  spanProcessors?: SpanProcessor[];
}

let installedContext = false;

/**
 * Context propagation is always on, so a `traceparent` that arrives is passed on through
 * RPCs and events even when this process exports nothing. The SDK that records and
 * exports spans is installed only when there is somewhere to send them.
 * Returns a function that flushes and shuts the SDK down.
 */
export function setupTracing(options: TracingOptions): () => Promise<void> {
  if (!installedContext) {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    installedContext = true;
  }
  const processors = [...(options.spanProcessors ?? [])];
  if (options.otlpEndpoint) {
    const url = new URL("/v1/traces", options.otlpEndpoint).toString();
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url })));
  }
  if (processors.length === 0) return async () => {};
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.service }),
    spanProcessors: processors,
  });
  trace.setGlobalTracerProvider(provider);
  return () => provider.shutdown();
}
