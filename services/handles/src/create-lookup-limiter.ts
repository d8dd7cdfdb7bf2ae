import { createThrottledWarning, DomainError, withDeadline } from "@paymesh/runtime";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { Counter, type Registry } from "prom-client";
import type { BucketPolicy } from "./bucket-policy.js";
import { createLocalTokenBuckets, type TakeReply } from "./create-local-token-buckets.js";

/**
 * One atomic step of a token bucket kept in a Redis hash {tokens, ts}. The bucket refills
 * continuously (`rate` tokens per ms, up to `capacity`) from the last time it was touched, by
 * Redis's clock (so instances with skewed clocks agree). When it holds at least `need` tokens,
 * `cost` is taken (the balance may go below zero, never below -capacity, but a debt already
 * deeper than that is kept as it is) and the reply is {1, 0, tokens}; otherwise nothing is taken
 * and the reply is {0, ms until it holds `need`, tokens}. The key expires once the bucket would be
 * full again, so idle callers cost nothing.
 *
 * Capacity and rate come with each step (the policy in force, which may change): see
 * createLookupLimiter for what a change does to a bucket.
 */
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local need = tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then
  tokens = capacity
  ts = now
end
tokens = math.min(capacity, tokens + math.max(0, now - ts) * rate)
if tokens < need then
  return {0, math.ceil((need - tokens) / rate), tostring(tokens)}
end
tokens = math.max(math.min(tokens, -capacity), tokens - cost)
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / rate) + 1000)
return {1, 0, tostring(tokens)}
`;

export interface LookupLimiterOptions {
  redis: Redis;
  logger: Logger;
  registry: Registry;
  /** Key prefix; each caller's bucket is `<prefix>bucket:<caller>`. */
  prefix: string;
  /** The policy in force, read at every step (so it must answer from memory). */
  policy: () => BucketPolicy;
  /** A bucket step Redis has not answered within this is taken on the in-process bucket instead. Default 20 ms. */
  redisTimeoutMs?: number;
  /** Callers whose in-process buckets are kept (least recently used forgotten first). Default 100 000. */
  localCallers?: number;
}

/**
 * Anti-enumeration: a token bucket per caller, shared by every instance through Redis. A lookup
 * is admitted while the caller's bucket holds at least the price of a hit; a hit then costs
 * `hitCost` and a miss `missCost` in all (the difference is charged once the miss is known, so
 * a miss can take the balance below zero and the caller waits for it to refill). An empty
 * bucket is RESOURCE_EXHAUSTED with `retry-after-ms` saying when the next lookup is admitted.
 *
 * Without Redis (an error, or no answer within `redisTimeoutMs`) lookups stay metered, by the same
 * rules, on a bucket per caller in this process that starts full: people are still answered and
 * still cannot enumerate faster than the refill allows on each instance. While Redis is out a
 * caller spread over N instances can get up to N buckets' worth; a step that reached Redis late
 * is charged on both, never on neither.
 *
 * The policy (capacity, refill, prices) is read at every step, so a change applies to the next
 * lookup of every caller, to the tokens they hold as they are, neither refilled nor emptied:
 * - capacity shrinks: a bucket holding more than the new capacity is cut down to it at its next
 *   step (a burst saved under the old policy does not outlive it); one holding less keeps its
 *   balance, and a debt deeper than the new floor (−capacity) is kept, not forgiven.
 * - capacity grows: nobody gets tokens for it; buckets fill up to the new capacity by refilling.
 * - refill changes: the time since a bucket was last touched refills at the rate in force when it
 *   is next touched. A Redis key set to expire when the bucket would be full under a faster rate
 *   may go (the bucket then starts full) earlier than the slower rate would have filled it.
 * - prices change: a lookup pays the prices in force when it was admitted, its miss included.
 */
export interface LookupLimiter {
  /** Takes the price of a hit, or refuses the lookup; gives the policy the lookup is priced by. */
  admit(caller: string): Promise<BucketPolicy>;
  /** Charges the rest of the price of a miss (by the policy admit gave), after an admitted lookup found nothing. */
  chargeMiss(caller: string, price: BucketPolicy): Promise<void>;
  /** Tokens the caller holds now (for tests and operators). */
  tokens(caller: string): Promise<number>;
}

export function createLookupLimiter(options: LookupLimiterOptions): LookupLimiter {
  const { redis, prefix, policy } = options;
  const name = "paymeshHandlesTakeTokens";
  redis.defineCommand(name, { lua: TAKE, numberOfKeys: 1 });
  const command = (redis as unknown as Record<string, (...args: Array<string | number>) => Promise<TakeReply>>)[name]!.bind(redis);
  const timeoutMs = options.redisTimeoutMs ?? 20;
  const local = createLocalTokenBuckets({ maxCallers: options.localCallers });
  const fallbacks = new Counter({
    name: "handles_limiter_redis_errors_total",
    help: "Token-bucket steps Redis failed or did not answer in time; each was taken on the in-process bucket instead.",
    registers: [options.registry],
  });
  const warn = createThrottledWarning({
    logger: options.logger,
    message: "token bucket unavailable in redis; metering lookups in process",
  });
  const keyOf = (caller: string) => `${prefix}bucket:${caller}`;
  const run = async (caller: string, price: BucketPolicy, cost: number, need: number): Promise<TakeReply> => {
    const bucket = { capacity: price.capacity, rate: price.refillPerMinute / 60_000 };
    try {
      return await withDeadline(
        command(keyOf(caller), bucket.capacity, String(bucket.rate), cost, need),
        timeoutMs,
        "the redis token bucket",
      );
    } catch (error) {
      fallbacks.inc();
      warn(error);
      return local.take(caller, bucket, cost, need);
    }
  };
  return {
    async admit(caller) {
      const price = policy();
      const [admitted, waitMs] = await run(caller, price, price.hitCost, price.hitCost);
      if (admitted !== 1) {
        const seconds = Math.max(1, Math.ceil(waitMs / 1000));
        throw new DomainError(
          "resource_exhausted",
          `too many handle lookups: try again in ${seconds} s (lookups of handles that do not exist cost ${price.missCost / price.hitCost}× more)`,
          { "retry-after-ms": String(waitMs), "retry-after": String(seconds) },
        );
      }
      return price;
    },
    async chargeMiss(caller, price) {
      if (price.missCost > price.hitCost) await run(caller, price, price.missCost - price.hitCost, -1e15);
    },
    async tokens(caller) {
      const [, , tokens] = await run(caller, policy(), 0, -1e15);
      return Number(tokens);
    },
  };
}
