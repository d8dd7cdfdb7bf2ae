import type { Logger } from "pino";

export interface ThrottledWarningOptions {
  logger: Logger;
  /** The log message. */
  message: string;
  /** At most one line per this long. Default 60 000 ms. */
  intervalMs?: number;
}

/**
 * A warning for a failure that repeats on every request while a dependency is out (Redis down
 * under load): the first occurrence is logged at once, later ones at most once per interval,
 * each line saying how many were not logged (`suppressed`), so an outage costs a few lines, not
 * one per request.
 */
export function createThrottledWarning(options: ThrottledWarningOptions): (error: unknown) => void {
  const intervalMs = options.intervalMs ?? 60_000;
  let loggedAt = -Infinity;
  let suppressed = 0;
  return (error) => {
    const now = performance.now();
    if (now - loggedAt < intervalMs) {
      suppressed++;
      return;
    }
    options.logger.warn({ err: error, suppressed }, options.message);
    loggedAt = now;
    suppressed = 0;
  };
}
