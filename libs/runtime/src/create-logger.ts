import { isSpanContextValid, trace } from "@opentelemetry/api";
import { type DestinationStream, type Logger, pino } from "pino";

export interface LoggerOptions {
  service: string;
  /** Default `info`. */
  level?: string;
  /** Where the lines go. Default stdout (tests read what a service logs). */
  destination?: DestinationStream;
}

/**
 * JSON logs on stdout, one line per record, tagged with the service, and with `trace_id` and
 * `span_id` when written inside a span (every RPC and event handler runs in one: see
 * setupTracing), so an operator can go from a log line to its trace and back. Header values that
 * carry credentials are redacted wherever they appear, as a backstop for careless logging.
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? "info",
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin() {
        const span = trace.getActiveSpan()?.spanContext();
        return span !== undefined && isSpanContextValid(span) ? { trace_id: span.traceId, span_id: span.spanId } : {};
      },
      redact: {
        paths: ["authorization", "*.authorization", "*.*.authorization", "token", "*.token", "secret", "*.secret"],
        censor: "[redacted]",
      },
    },
    options.destination ?? pino.destination(1),
  );
}
