import { DomainError } from "@paymesh/runtime";
import type { Redis } from "ioredis";
import type { Logger } from "pino";

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

type TakeReply = [number, number, string];

export interface LookupLimiterOptions {
  redis: Redis;
  logger: Logger;
  /** Key prefix; each caller's bucket is `<prefix>bucket:<caller>`. */
  prefix: string;
  capacity: number;
  refillPerMinute: number;
  hitCost: number;
  missCost: number;
}

/**
 * Anti-enumeration: a token bucket per caller, shared by every instance through Redis. A lookup
 * is admitted while the caller's bucket holds at least the price of a hit; a hit then costs
 * `hitCost` and a miss `missCost` in all (the difference is charged once the miss is known, so
 * a miss can take the balance below zero and the caller waits for it to refill). An empty
 * bucket is RESOURCE_EXHAUSTED with `retry-after-ms` saying when the next lookup is admitted.
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
  // Without Redis nobody can be metered, and lookups are not let through unmetered.
  const run = (...args: Array<string | number>) =>
    command(...args).catch((error: unknown) => {
      options.logger.error({ err: error }, "token bucket unavailable; refusing lookups");
      throw new DomainError("unavailable", "handle lookups are briefly unavailable; try again", { "retry-after-ms": "1000" });
    });
  const rate = String(options.refillPerMinute / 60_000);
  const keyOf = (caller: string) => `${prefix}bucket:${caller}`;
  return {
    async admit(caller) {
      const [admitted, waitMs] = await run(keyOf(caller), capacity, rate, hitCost, hitCost);
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
      if (missCost > hitCost) await run(keyOf(caller), capacity, rate, missCost - hitCost, -1e15);
    },
    async tokens(caller) {
      const [, , tokens] = await run(keyOf(caller), capacity, rate, 0, -1e15);
      return Number(tokens);
    },
  };
}
