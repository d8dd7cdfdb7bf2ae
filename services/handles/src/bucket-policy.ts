/** The token bucket that meters each caller's lookups (see createLookupLimiter). */
export interface BucketPolicy {
  /** Tokens a full bucket holds: what a caller starts with and can save up. */
  capacity: number;
  /** Tokens added per minute. */
  refillPerMinute: number;
  /** Price of a lookup that found an active handle; a lookup is admitted while the bucket holds it. */
  hitCost: number;
  /** Price of a lookup that found nothing, in all. */
  missCost: number;
}

/**
 * What makes a bucket policy unusable, as [field, message] pairs; `names` says how each field is
 * called to whoever gave it (settings or RPC fields). Each field's own range is checked where it
 * is read.
 *
 * - miss ≥ hit: else probing for handles would be cheaper than paying the ones found.
 * - capacity ≥ miss: a miss may take the balance below zero but never below −capacity. A lookup
 *   is admitted with at least `hit` (≥ 1) tokens, so with capacity ≥ miss the floor is never
 *   reached and every miss costs its full price; with less, the floor would cut each miss's price
 *   to what the bucket holds plus its capacity, so a policy could promise expensive misses and
 *   enforce cheap ones. It also makes the bucket hold at least one hit, so anyone is ever admitted.
 */
export function bucketPolicyProblems(
  policy: BucketPolicy,
  names: Record<keyof BucketPolicy, string>,
): Array<[field: keyof BucketPolicy, message: string]> {
  const problems: Array<[keyof BucketPolicy, string]> = [];
  if (policy.missCost < policy.hitCost) {
    problems.push([
      "missCost",
      `${names.missCost} (${policy.missCost}) must not be less than ${names.hitCost} (${policy.hitCost}): ` +
        "a lookup that finds nothing may not cost less than one that finds a handle",
    ]);
  }
  if (policy.capacity < policy.missCost) {
    problems.push([
      "capacity",
      `${names.capacity} (${policy.capacity}) must be at least ${names.missCost} (${policy.missCost}): ` +
        "a bucket must hold the full price of a miss, or misses would be charged less than it",
    ]);
  }
  return problems;
}
