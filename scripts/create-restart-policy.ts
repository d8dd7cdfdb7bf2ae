/** Options for {@link createRestartPolicy}. */
export interface RestartPolicyOptions {
  /** Pause before the first restart, in milliseconds. Default 500: a crash at once is retried at once, nearly. */
  initialDelayMs?: number;
  /**
   * Longest pause, in milliseconds; the pause doubles up to it. Default 30 000: a service that
   * cannot start (its database is down) is tried twice a minute, its log readable in between.
   */
  maxDelayMs?: number;
  /**
   * A process that ran at least this long, in milliseconds, was healthy: its crash starts the
   * pauses again from initialDelayMs. Default 60 000.
   */
  stableAfterMs?: number;
}

/** When to restart a process that exited: exponential back-off, forgiven after a stable run. */
export interface RestartPolicy {
  /** The pause before starting the process again, given how long the run that just ended lasted. */
  delayAfter(uptimeMs: number): number;
}

export function createRestartPolicy({
  initialDelayMs = 500,
  maxDelayMs = 30_000,
  stableAfterMs = 60_000,
}: RestartPolicyOptions = {}): RestartPolicy {
  let crashes = 0;
  return {
    delayAfter(uptimeMs) {
      if (uptimeMs >= stableAfterMs) crashes = 0;
      const delay = Math.min(initialDelayMs * 2 ** crashes, maxDelayMs);
      crashes += 1;
      return delay;
    },
  };
}
