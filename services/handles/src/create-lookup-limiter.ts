import { createThrottledWarning, DomainError, withDeadline } from "@paymesh/runtime";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { Counter, type Registry } from "prom-client";
import { createLocalTokenBuckets, type TakeReply } from "./create-local-token-buckets.js";

/**
 * One atomic step of a token bucket kept in a Redis hash {tokens, ts}. The bucket refills
 * continuously (`rate` tokens per ms, up to `capacity`) from the last time it was touched, by
 * Redis's clock (so instances with skewed clocks agree). When it holds at least `need` tokens,
 * `cost` is taken (the balance may go below zero, never below -capacity) and the reply is
 * {1, 0, tokens}; otherwise nothing is taken and the reply is {0, ms until it holds `need`,
 * tokens}. The key expires once the bucket would be full again, so idle callers cost nothing.
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
tokens = math.max(-capacity, tokens - cost)
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
  capacity: number;
  refillPerMinute: number;
  hitCost: number;
  missCost: number;
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
 */
export interface LookupLimiter {
  /** Takes the price of a hit, or refuses the lookup. */
  admit(caller: string): Promise<void>;
  /** Charges the rest of the price of a miss, after an admitted lookup found nothing. */
  chargeMiss(caller: string): Promise<void>;
  /** Tokens the caller holds now (for tests and operators). */
  tokens(caller: string): Promise<number>;
}

export function createLookupLimiter(options: LookupLimiterOptions): LookupLimiter {
  const { redis, prefix, capacity, hitCost, missCost } = options;
  const name = "paymeshHandlesTakeTokens";
  redis.defineCommand(name, { lua: TAKE, numberOfKeys: 1 });
  const command = (redis as unknown as Record<string, (...args: Array<string | number>) => Promise<TakeReply>>)[name]!.bind(redis);
  const timeoutMs = options.redisTimeoutMs ?? 20;
  const rate = options.refillPerMinute / 60_000;
  const local = createLocalTokenBuckets({ capacity, rate, maxCallers: options.localCallers });
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
  const run = async (caller: string, cost: number, need: number): Promise<TakeReply> => {
    try {
      return await withDeadline(command(keyOf(caller), capacity, String(rate), cost, need), timeoutMs, "the redis token bucket");
    } catch (error) {
      fallbacks.inc();
      warn(error);
      return local.take(caller, cost, need);
    }
  };
  return {
    async admit(caller) {
      const [admitted, waitMs] = await run(caller, hitCost, hitCost);
      if (admitted !== 1) {
        const seconds = Math.max(1, Math.ceil(waitMs / 1000));
        throw new DomainError(
          "resource_exhausted",
          `too many handle lookups: try again in ${seconds} s (lookups of handles that do not exist cost ${missCost / hitCost}× more)`,
          { "retry-after-ms": String(waitMs), "retry-after": String(seconds) },
        );
      }
    },
    async chargeMiss(caller) {
      if (missCost > hitCost) await run(caller, missCost - hitCost, -1e15);
    },
    async tokens(caller) {
      const [, , tokens] = await run(caller, 0, -1e15);
      return Number(tokens);
    },
  };
}
