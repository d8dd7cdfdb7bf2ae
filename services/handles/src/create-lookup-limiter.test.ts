import { createRedisClient, DomainError, withDeadline } from "@paymesh/runtime";
import { createUnreachableRedis, type RedisServer, startRedisServer } from "@paymesh/testkit";
import type { Redis } from "ioredis";
import { pino } from "pino";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { BucketPolicy } from "./bucket-policy.js";
import { createLookupLimiter, type LookupLimiter } from "./create-lookup-limiter.js";

// 40 tokens, refilled at 1 per second: 40 hits, or two misses (20 each), empty a bucket.
const BUCKET = { capacity: 40, refillPerMinute: 60, hitCost: 1, missCost: 20 };
const logger = pino({ level: "silent" });
// Buckets live only on this test's own Redis.
const prefix = "limiter:";
const dead = createUnreachableRedis();
let server: RedisServer;
let patient: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  // Waits as long as it takes: only the limiter's own deadline lets a lookup go on.
  patient = createRedisClient(server.url, { logger, commandTimeoutMs: 60_000, socketTimeoutMs: 60_000 });
  await patient.connect();
});

afterAll(async () => {
  dead.disconnect();
  patient?.disconnect();
  await server?.stop();
});

function limiterOn(redis: Redis, { policy = () => BUCKET, redisTimeoutMs }: { policy?: () => BucketPolicy; redisTimeoutMs?: number } = {}) {
  const registry = new Registry();
  const limiter = createLookupLimiter({ redis, logger, registry, prefix, policy, redisTimeoutMs });
  const fallbacks = async () =>
    (await registry.getMetricsAsJSON()).find((m) => m.name === "handles_limiter_redis_errors_total")?.values[0]?.value ?? 0;
  return { limiter, fallbacks };
}

/** What admit() answers: "admitted", or the refusal's kind and metadata. */
async function admission(limiter: LookupLimiter, caller: string) {
  try {
    // The test's bound: far above the limiter's 20 ms deadline, far below anything Redis makes wait.
    await withDeadline(limiter.admit(caller), 1_000, "admit");
    return "admitted";
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return { kind: error.kind, metadata: error.metadata };
  }
}

describe("the lookup limiter without Redis", () => {
  it("still meters people, by the same rules, on a bucket per caller in this process", async () => {
    const { limiter, fallbacks } = limiterOn(dead);
    // Misses: two of them spend the bucket, then lookups are refused with when to retry.
    for (let i = 0; i < 2; i++) {
      expect(await admission(limiter, "user:scraper")).toBe("admitted");
      await limiter.chargeMiss("user:scraper", BUCKET);
    }
    const refused = await admission(limiter, "user:scraper");
    expect(refused).toMatchObject({ kind: "resource_exhausted" });
    const { metadata } = refused as { metadata: Record<string, string> };
    expect(Number(metadata["retry-after-ms"])).toBeGreaterThan(0);
    expect(Number(metadata["retry-after-ms"])).toBeLessThanOrEqual(1_000);
    expect(metadata["retry-after"]).toBe("1");
    // Hits: 40 of them, then refused. Each caller has a bucket of its own.
    const answers = [];
    for (let i = 0; i < 41; i++) answers.push(await admission(limiter, "user:reader"));
    expect(answers.slice(0, 40).every((answer) => answer === "admitted")).toBe(true);
    expect(answers[40]).toMatchObject({ kind: "resource_exhausted" });
    expect(await admission(limiter, "user:someone-else")).toBe("admitted");
    expect(await fallbacks()).toBeGreaterThan(40);
  });

  it("does not wait for a Redis that stopped answering, and uses Redis again once it answers", async () => {
    const { limiter, fallbacks } = limiterOn(patient);
    server.pause();
    try {
      expect(await admission(limiter, "user:patient")).toBe("admitted");
      await withDeadline(limiter.chargeMiss("user:patient", BUCKET), 1_000, "chargeMiss");
      expect(await fallbacks()).toBe(2);
    } finally {
      server.resume();
    }
    // The steps Redis answered late were charged there too: the shared bucket errs on the strict side.
    const stored = async () => Number(await patient.hget(`${prefix}bucket:user:patient`, "tokens"));
    expect(await stored()).toBeLessThan(21);
    // Redis answers again, and lookups are charged there again.
    await vi.waitFor(
      async () => {
        const [before, tokens] = [await fallbacks(), await stored()];
        expect(await admission(limiter, "user:patient")).toBe("admitted");
        expect(await fallbacks()).toBe(before);
        expect(await stored()).toBeLessThan(tokens);
      },
      { timeout: 5_000, interval: 20 },
    );
  });
});

describe("the lookup limiter when the policy changes", () => {
  // The same rules on the shared buckets in Redis (read patiently here, so that a busy machine
  // does not move a step in process) and on the in-process ones.
  const limiterWith = (where: "redis" | "in process", policy: () => BucketPolicy) =>
    where === "redis" ? limiterOn(patient, { policy, redisTimeoutMs: 5_000 }).limiter : limiterOn(dead, { policy }).limiter;

  for (const where of ["redis", "in process"] as const) {
    it(`applies it to the next step of every bucket, without refilling or wiping them (${where})`, async () => {
      let policy: BucketPolicy = { capacity: 40, refillPerMinute: 1, hitCost: 1, missCost: 20 };
      const limiter = limiterWith(where, () => policy);
      const caller = `user:changing-${where}`;
      // 40, less a miss: 20. Then a shrink to 5: cut down to the new capacity at the next step.
      await limiter.chargeMiss(caller, await limiter.admit(caller));
      expect(await limiter.tokens(caller)).toBeCloseTo(20, 0);
      policy = { capacity: 5, refillPerMinute: 1, hitCost: 1, missCost: 5 };
      expect(await limiter.tokens(caller)).toBe(5);
      for (let i = 0; i < 5; i++) expect(await admission(limiter, caller)).toBe("admitted");
      expect(await admission(limiter, caller)).toMatchObject({ kind: "resource_exhausted" });
      // A grow gives nobody tokens: the bucket only refills (a token a minute) toward the new capacity.
      policy = { capacity: 1_000, refillPerMinute: 1, hitCost: 1, missCost: 5 };
      expect(await limiter.tokens(caller)).toBeLessThan(0.5);
      expect(await admission(limiter, caller)).toMatchObject({ kind: "resource_exhausted" });
      // A caller not seen before starts full, at the new capacity.
      expect(await limiter.tokens(`${caller}-new`)).toBe(1_000);
    });

    it(`keeps a debt deeper than a shrunk bucket's floor instead of forgiving it (${where})`, async () => {
      let policy: BucketPolicy = { capacity: 40, refillPerMinute: 1, hitCost: 1, missCost: 40 };
      const limiter = limiterWith(where, () => policy);
      const caller = `user:debtor-${where}`;
      for (let i = 0; i < 20; i++) await limiter.admit(caller);
      // 20 left; a miss costs 40 in all: −20.
      await limiter.chargeMiss(caller, await limiter.admit(caller));
      expect(await limiter.tokens(caller)).toBeCloseTo(-20, 0);
      policy = { capacity: 2, refillPerMinute: 1, hitCost: 1, missCost: 2 };
      expect(await limiter.tokens(caller)).toBeCloseTo(-20, 0);
      expect(await admission(limiter, caller)).toMatchObject({ kind: "resource_exhausted" });
    });
  }
});
