/** A latch a loop sleeps on until woken or until a timeout; see createWakeSignal. */
export interface WakeSignal {
  /** Wakes the current sleeper, or makes the next sleep return at once if none is sleeping. */
  wake(): void;
  /** Forgets wake-ups so far; call just before doing the work they asked for. */
  clear(): void;
  /** Resolves after `ms`, or as soon as woken (immediately if a wake-up is pending). */
  sleep(ms: number): Promise<void>;
}

/**
 * Wake-ups are remembered, not lost: a notification that arrives while the loop is busy makes
 * its next sleep return at once, so work signalled mid-batch is picked up without waiting for
 * the fallback timer.
 */
export function createWakeSignal(): WakeSignal {
  let pending = false;
  let interrupt: (() => void) | undefined;
  return {
    wake() {
      pending = true;
      interrupt?.();
    },
    clear() {
      pending = false;
    },
    sleep(ms) {
      if (pending) {
        pending = false;
        return Promise.resolve();
      }
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          interrupt = undefined;
          pending = false;
          resolve();
        };
        const timer = setTimeout(done, ms);
        interrupt = done;
      });
    },
  };
}
