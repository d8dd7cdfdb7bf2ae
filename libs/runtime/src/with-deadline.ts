/**
 * `promise`, or a rejection if it has not settled within `ms`: for calls whose answer is only
 * worth waiting for briefly (Redis as a cache, a rate limiter, a fast path), so the caller can
 * take its fallback instead. The call itself is not cancelled: it may still complete later, so
 * use it where a late effect is harmless (a guarded cache fill, a retried invalidation).
 *
 * The deadline is the call's, not this process's: when the timer fires, input that arrived while
 * the event loop was busy is read first (the rejection waits for `setImmediate`), so an answer
 * already here still counts. A busy process therefore does not send healthy calls to their
 * fallbacks.
 *
 * `what` names the call in the error: `"<what> did not answer within <ms> ms"`.
 */
export function withDeadline<T>(promise: PromiseLike<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => setImmediate(() => reject(new Error(`${what} did not answer within ${ms} ms`))), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
