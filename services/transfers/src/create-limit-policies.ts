import type { Limits } from "./default-limit-policy.js";
import { limitsFor } from "./limits-for.js";
import type { TransfersDatabase } from "./transfers-database.js";

export interface LimitPolicies {
  /** The limits in force for a currency, at most `ttlMs` old. */
  get(currency: string): Promise<Limits>;
  /** Forgets a currency's cached limits (after this instance changed them). */
  invalidate(currency: string): void;
}

/**
 * Limit policies behind a short in-process cache: every transfer needs its currency's limits,
 * while they change rarely (by an operator or a governance vote). A change made through this
 * instance applies at once; one made through another instance within `ttlMs` (default 1 s).
 */
export function createLimitPolicies(db: TransfersDatabase, options: { ttlMs?: number } = {}): LimitPolicies {
  const ttlMs = options.ttlMs ?? 1_000;
  const cache = new Map<string, { limits: Promise<Limits>; until: number }>();
  return {
    get(currency) {
      const hit = cache.get(currency);
      if (hit !== undefined && hit.until > Date.now()) return hit.limits;
      const limits = limitsFor(db, currency);
      cache.set(currency, { limits, until: Date.now() + ttlMs });
      limits.catch(() => cache.delete(currency));
      return limits;
    },
    invalidate(currency) {
      cache.delete(currency);
    },
  };
}
