import { pgErrorCode } from "./pg-error-code.js";

/**
 * SQLSTATEs that mean "this transaction lost a race and was rolled back whole": a deadlock
 * (40P01) or a serialization failure (40001). Running it again is safe and usually succeeds.
 */
const CONFLICTS = new Set(["40P01", "40001"]);

export interface RetryOnConflictOptions {
  /** Runs at most. Default 5: a race lost five times in a row is no longer bad luck. */
  attempts?: number;
  /** First pause, doubled each time, with jitter. Default 5 ms: the winner commits within milliseconds. */
  baseDelayMs?: number;
}

/**
 * Runs a whole transaction again when Postgres aborted it for a deadlock or a serialization
 * failure, so a caller is answered rather than told INTERNAL for a race it had no part in.
 * `run` must be the complete transaction (nothing of it survives an abort).
 */
export async function retryOnConflict<T>(run: () => Promise<T>, options: RetryOnConflictOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 5;
  const baseDelayMs = options.baseDelayMs ?? 5;
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const code = pgErrorCode(error);
      if (attempt >= attempts || code === undefined || !CONFLICTS.has(code)) throw error;
      await new Promise((resolve) => setTimeout(resolve, baseDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random())));
    }
  }
}
