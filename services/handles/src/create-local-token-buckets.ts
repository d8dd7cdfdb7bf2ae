import { LRUCache } from "lru-cache";

/** One bucket step's reply: admitted (1 or 0), ms until the bucket holds what was needed, tokens left. */
export type TakeReply = [admitted: number, waitMs: number, tokens: string];

/** A bucket's shape, given with each step: the policy in force, which may change between steps. */
interface BucketShape {
  capacity: number;
  /** Tokens added per ms. */
  rate: number;
}

export interface LocalTokenBucketsOptions {
  /** Buckets kept; the least recently used go first (a forgotten caller starts full again). Default 100 000. */
  maxCallers?: number;
}

export interface LocalTokenBuckets {
  /** The Redis script's step, on this process's bucket for `caller`. */
  take(caller: string, bucket: BucketShape, cost: number, need: number): TakeReply;
}

/**
 * Token buckets in this process, stepped exactly as the Redis script steps the shared ones (see
 * createLookupLimiter): full at first, refilled continuously by this process's monotonic clock,
 * `cost` taken when at least `need` is held (down to -capacity at most, a deeper debt kept as it
 * is), nothing taken otherwise.
 * The lookup limiter's fallback while Redis does not answer.
 */
export function createLocalTokenBuckets(options: LocalTokenBucketsOptions): LocalTokenBuckets {
  const buckets = new LRUCache<string, { tokens: number; at: number }>({ max: options.maxCallers ?? 100_000 });
  return {
    take(caller, { capacity, rate }, cost, need) {
      const now = performance.now();
      const bucket = buckets.get(caller);
      const tokens = bucket === undefined ? capacity : Math.min(capacity, bucket.tokens + Math.max(0, now - bucket.at) * rate);
      if (tokens < need) return [0, Math.ceil((need - tokens) / rate), String(tokens)];
      const left = Math.max(Math.min(tokens, -capacity), tokens - cost);
      buckets.set(caller, { tokens: left, at: now });
      return [1, 0, String(left)];
    },
  };
}
