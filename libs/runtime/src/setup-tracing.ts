import type { Context } from "@opentelemetry/api";
import { context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, type ReadableSpan, type Span, type SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";

export interface TracingOptions {
  service: string;
  /** OTLP/HTTP endpoint to export spans to. Default none: spans are made, and logged by id, but not sent. */
  otlpEndpoint?: string | undefined;
  /** Extra processors, e.g. an in-memory exporter in tests. Default none. */
  spanProcessors?: SpanProcessor[];
}

/**
 * The processors of every setupTracing call still in force. The provider is global and takes
 * its processors only when made, so it is given this one, which passes each span to the others.
 */
const attached = new Set<SpanProcessor>();
const fanOut: SpanProcessor = {
  onStart(span: Span, parent: Context) {
    for (const processor of attached) processor.onStart(span, parent);
  },
  onEnd(span: ReadableSpan) {
    for (const processor of attached) processor.onEnd(span);
  },
  async forceFlush() {
    await Promise.all([...attached].map((processor) => processor.forceFlush()));
  },
  async shutdown() {},
};
let installed = false;

/**
 * Tracing is always on: W3C context propagation through RPCs and events, and an SDK tracer
 * provider that gives every RPC and event handler a real span (parent-based, always-on sampling
 * unless `OTEL_TRACES_SAMPLER` says otherwise), so every log line written inside one carries real
 * trace and span ids (see createLogger) whether or not spans are exported. Spans leave the
 * process only through the processors given: OTLP when an endpoint is configured, test
 * exporters. The provider is made once per process, named after the first service to start
 * (one per process in production); later calls add their processors to it.
 * Returns a function that flushes and detaches this call's processors.
 */
export function setupTracing(options: TracingOptions): () => Promise<void> {
  if (!installed) {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    const provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.service }),
      spanProcessors: [fanOut],
    });
    trace.setGlobalTracerProvider(provider);
    installed = true;
  }
  const own = [...(options.spanProcessors ?? [])];
  if (options.otlpEndpoint) {
    const url = new URL("/v1/traces", options.otlpEndpoint).toString();
    own.push(new BatchSpanProcessor(new OTLPTraceExporter({ url })));
  }
  for (const processor of own) attached.add(processor);
  return async () => {
    for (const processor of own) attached.delete(processor);
    await Promise.all(own.map((processor) => processor.shutdown()));
  };
}
