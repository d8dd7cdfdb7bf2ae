import { type Logger, pino } from "pino";

export interface LoggerOptions {
  service: string;
  /** Default `info`. */
  level?: string;
}

/**
 * JSON logs on stdout, one line per record, tagged with the service. Header values that
 * carry credentials are redacted wherever they appear, as a backstop for careless logging.
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino({
    level: options.level ?? "info",
    base: { service: options.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: ["authorization", "*.authorization", "*.*.authorization", "token", "*.token", "secret", "*.secret"],
      censor: "[redacted]",
    },
  });
}
