import { randomBytes } from "node:crypto";
import { createRedisClient, withDeadline } from "@paymesh/runtime";
import { type RedisServer, redisTestPrefix, startRedisServer } from "@paymesh/testkit";
import { Redis } from "ioredis";
import { pino } from "pino";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createKeyring } from "./create-keyring.js";
import { createResolutionCache, type Resolution, type ResolutionCache } from "./create-resolution-cache.js";

const keyring = createKeyring({ keys: new Map([["k1", randomBytes(32)]]), currentKeyId: "k1", indexKey: randomBytes(32) });
const logger = pino({ level: "silent" });
const { prefix, cleanup } = redisTestPrefix("handles");
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

const resolution = (handle: string, accountId: string): Resolution => ({
  handle,
  accountId,
  maskedDisplayName: "Bob M.",
  network: "paymesh",
  verified: false,
  owner: "owner-secret-subject",
});

/** A Postgres stand-in: what it returns can change, and it counts its calls. */
function fakeSource() {
  const rows = new Map<string, Resolution>();
  let calls = 0;
  let gate: Promise<void> | undefined;
  return {
    rows,
    calls: () => calls,
    block() {
      let open!: () => void;
      gate = new Promise<void>((resolve) => (open = resolve));
      return () => {
        gate = undefined;
        open();
      };
    },
    async load(handle: string) {
      calls++;
      const seen = rows.get(handle);
      if (gate) await gate;
      return seen;
    },
  };
}

/** A metric's value, by name and, for a labelled one, its labels' values. */
async function metric(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const values = (await registry.getMetricsAsJSON()).find((m) => m.name === name)?.values ?? [];
  return values.find((v) => Object.entries(labels).every(([key, value]) => v.labels[key] === value))?.value ?? 0;
}
const lruHits = (registry: Registry) => metric(registry, "handles_cache_lookups_total", { tier: "lru", result: "hit" });

const redises: Redis[] = [];
const caches: ResolutionCache[] = [];
async function startCache(
  source: ReturnType<typeof fakeSource>,
  options: {
    lruTtlMs?: number;
    name?: string;
    registry?: Registry;
    subscriber?: Redis;
    heartbeatMs?: number;
    prefix?: string;
    /** Default: a client of the shared Redis. */
    redis?: Redis;
    /**
     * Default 1 000 ms: the shared Redis on a busy machine may answer later than the production
     * deadline, and these tests count what each tier answered.
     */
    redisTimeoutMs?: number;
  } = {},
) {
  const redis = options.redis ?? new Redis(redisUrl, { connectionName: options.name });
  redises.push(redis);
  const cache = createResolutionCache({
    redis,
    prefix: options.prefix ?? prefix,
    keyring,
    logger,
    registry: options.registry ?? new Registry(),
    lruMax: 1000,
    lruTtlMs: options.lruTtlMs ?? 60_000,
    redisTtlMs: 60_000,
    negativeTtlMs: 60_000,
    subscriber: options.subscriber,
    heartbeatMs: options.heartbeatMs,
    redisTimeoutMs: options.redisTimeoutMs ?? 1_000,
    load: (handle) => source.load(handle),
  });
  await cache.start();
  caches.push(cache);
  return cache;
}

afterAll(async () => {
  for (const cache of caches) await cache.stop();
  for (const redis of redises) redis.disconnect();
  await cleanup();
});

describe("createResolutionCache", () => {
  let admin: Redis;
  beforeAll(() => {
    admin = new Redis(redisUrl);
    redises.push(admin);
  });

  it("serves repeats from the LRU, other instances from Redis, and seals what it puts in Redis", async () => {
    const source = fakeSource();
    source.rows.set("@bob", resolution("@bob", "acct-plain-1"));
    const registry = new Registry();
    const a = await startCache(source, { registry });
    const b = await startCache(source);
    expect(await a.resolve("@bob")).toEqual(resolution("@bob", "acct-plain-1"));
    expect(await a.resolve("@bob")).toEqual(resolution("@bob", "acct-plain-1"));
    expect(await b.resolve("@bob")).toEqual(resolution("@bob", "acct-plain-1"));
    expect(source.calls()).toBe(1);
    const raw = await admin.get(`${prefix}{@bob}:v`);
    expect(raw).toMatch(/^k1\./);
    expect(raw).not.toContain("acct-plain-1");
    expect(raw).not.toContain("owner-secret-subject");
    const metrics = await registry.getMetricsAsJSON();
    const lookups = metrics.find((m) => m.name === "handles_cache_lookups_total")!.values;
    expect(lookups.find((v) => v.labels.tier === "lru" && v.labels.result === "hit")?.value).toBe(1);
    expect(lookups.find((v) => v.labels.tier === "postgres" && v.labels.result === "hit")?.value).toBe(1);
  });

  it("caches misses, and an invalidation reaches every instance", async () => {
    const source = fakeSource();
    const a = await startCache(source);
    const b = await startCache(source);
    expect(await a.resolve("@carol")).toBeUndefined();
    expect(await b.resolve("@carol")).toBeUndefined();
    expect(await b.resolve("@carol")).toBeUndefined();
    expect(source.calls()).toBe(1);
    source.rows.set("@carol", resolution("@carol", "acct-2"));
    await a.invalidate("@carol");
    // b hears of it through pub/sub; its LRU (TTL 60 s) would otherwise answer "absent".
    await expect.poll(() => b.resolve("@carol"), { timeout: 1_000, interval: 5 }).toEqual(resolution("@carol", "acct-2"));
  });

  it("never caches a value read before a concurrent change was invalidated", async () => {
    const source = fakeSource();
    source.rows.set("@dave", resolution("@dave", "old"));
    const a = await startCache(source);
    const b = await startCache(source);
    const release = source.block();
    const stale = b.resolve("@dave"); // reads "old", then waits before filling
    await expect.poll(() => source.calls()).toBe(1);
    source.rows.set("@dave", resolution("@dave", "new"));
    await a.invalidate("@dave"); // commits "new" meanwhile
    release();
    expect((await stale)?.accountId).toBe("old"); // it started before the change: fine to answer
    expect(await admin.get(`${prefix}{@dave}:v`)).toBeNull(); // but not cached in Redis
    expect((await b.resolve("@dave"))?.accountId).toBe("new"); // nor in b's LRU
    expect((await a.resolve("@dave"))?.accountId).toBe("new");
  });

  it("drops its LRU when its subscription breaks, since invalidations sent meanwhile are lost", async () => {
    const source = fakeSource();
    source.rows.set("@erin", resolution("@erin", "before"));
    const a = await startCache(source);
    const name = `sub${randomBytes(4).toString("hex")}`;
    const registry = new Registry();
    const b = await startCache(source, { name, registry });
    expect((await b.resolve("@erin"))?.accountId).toBe("before");
    const subscriberId = async () => {
      const list = String(await admin.call("CLIENT", "LIST", "TYPE", "pubsub"));
      return [...list.matchAll(/id=(\d+) [^\n]*?name=(\S*)/g)].find((m) => m[2] === name)?.[1];
    };
    const before = await subscriberId();
    expect(before).toBeDefined();
    await admin.client("KILL", "ID", before!);
    // Sent while b is not subscribed (ioredis waits 50 ms before reconnecting): b never hears it.
    source.rows.set("@erin", resolution("@erin", "after"));
    await a.invalidate("@erin");
    await expect.poll(subscriberId, { timeout: 5_000, interval: 20 }).not.toBe(before);
    await expect.poll(async () => (await b.resolve("@erin"))?.accountId, { timeout: 2_000, interval: 20 }).toBe("after");
    // Once subscribed again, b trusts its LRU again.
    await expect
      .poll(
        async () => {
          const before = await lruHits(registry);
          await b.resolve("@erin");
          await b.resolve("@erin");
          return (await lruHits(registry)) - before;
        },
        { timeout: 2_000, interval: 20 },
      )
      .toBeGreaterThan(0);
  });

  it("stops trusting its LRU within 750 ms when its subscription goes silent without an error", async () => {
    const source = fakeSource();
    source.rows.set("@fay", resolution("@fay", "before"));
    const a = await startCache(source);
    const subscriber = new Redis(redisUrl, { lazyConnect: true });
    redises.push(subscriber);
    const registry = new Registry();
    const b = await startCache(source, { subscriber, registry });
    expect((await b.resolve("@fay"))?.accountId).toBe("before");
    expect((await b.resolve("@fay"))?.accountId).toBe("before");
    // The socket stops delivering (a half-open connection, a stalled proxy): no close, no error.
    subscriber.stream.pause();
    source.rows.set("@fay", resolution("@fay", "after"));
    await a.invalidate("@fay");
    const changed = performance.now();
    await expect.poll(async () => (await b.resolve("@fay"))?.accountId, { timeout: 1_000, interval: 10 }).toBe("after");
    expect(performance.now() - changed).toBeLessThan(1_000);
    // Delivery resumes: the LRU is trusted again.
    subscriber.stream.resume();
    await expect
      .poll(
        async () => {
          const before = await lruHits(registry);
          await b.resolve("@fay");
          await b.resolve("@fay");
          return (await lruHits(registry)) - before;
        },
        { timeout: 2_000, interval: 20 },
      )
      .toBeGreaterThan(0);
  });

  it("does not trust its LRU at all when nothing is ever heard on the channel", async () => {
    const source = fakeSource();
    source.rows.set("@gus", resolution("@gus", "x"));
    const registry = new Registry();
    // The only instance, publishing no heartbeats: after 750 ms of silence every lookup skips the LRU.
    const lonely = await startCache(source, { heartbeatMs: 3_600_000, registry, prefix: `${prefix}lonely:` });
    await new Promise((resolve) => setTimeout(resolve, 800));
    for (let i = 0; i < 5; i++) await lonely.resolve("@gus");
    const values = (await registry.getMetricsAsJSON()).find((m) => m.name === "handles_cache_lookups_total")!.values;
    expect(await lruHits(registry)).toBe(0);
    expect(values.find((v) => v.labels.tier === "redis" && v.labels.result === "hit")?.value).toBe(4);
  });
});

describe("createResolutionCache without Redis", () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    // Stopped here, before the server goes: quitting needs it.
    for (const cache of caches.splice(0)) await cache.stop();
    await server?.stop();
  });

  /** A cache on the test's own Redis, through the services' client; `patient` turns off the client's own timeouts. */
  async function onOwnRedis(source: ReturnType<typeof fakeSource>, registry: Registry, patient = false) {
    const timeouts = patient ? { commandTimeoutMs: 60_000, socketTimeoutMs: 60_000 } : {};
    const redis = createRedisClient(server.url, { logger, ...timeouts });
    await redis.connect();
    return startCache(source, { redis, registry, redisTimeoutMs: 20 });
  }
  /** The test's bound for an answer: far above the cache's 20 ms deadline, far below anything Redis makes wait. */
  const answered = <T>(call: Promise<T>) => withDeadline(call, 1_000, "the cache");

  it("answers from Postgres when Redis stops answering, applies changes made meanwhile, and recovers", async () => {
    const source = fakeSource();
    source.rows.set("@hank", resolution("@hank", "before"));
    const registry = new Registry();
    // The client would wait a minute: only the cache's own deadline lets it go on.
    const cache = await onOwnRedis(source, registry, true);
    expect((await cache.resolve("@hank"))?.accountId).toBe("before");
    server.pause();
    try {
      source.rows.set("@hank", resolution("@hank", "after"));
      await answered(cache.invalidate("@hank"));
      for (let i = 0; i < 3; i++) expect((await answered(cache.resolve("@hank")))?.accountId).toBe("after");
      expect(await metric(registry, "handles_cache_unsent_invalidations")).toBe(1);
      expect(await metric(registry, "handles_cache_redis_errors_total")).toBeGreaterThan(0);
      // Postgres answered after the change (the LRU may answer the repeats: it holds the new value).
      expect(await metric(registry, "handles_cache_lookups_total", { tier: "postgres", result: "hit" })).toBeGreaterThan(1);
    } finally {
      server.resume();
    }
    // The invalidation reaches Redis, and the LRU answers again.
    await vi.waitFor(async () => expect(await metric(registry, "handles_cache_unsent_invalidations")).toBe(0), {
      timeout: 5_000,
      interval: 20,
    });
    await vi.waitFor(
      async () => {
        const before = await lruHits(registry);
        expect((await cache.resolve("@hank"))?.accountId).toBe("after");
        expect((await cache.resolve("@hank"))?.accountId).toBe("after");
        expect((await lruHits(registry)) - before).toBeGreaterThan(0);
      },
      { timeout: 5_000, interval: 20 },
    );
  });

  it("starts while Redis is down, answering from Postgres, and uses every tier once Redis is up", async () => {
    await server.kill();
    const source = fakeSource();
    source.rows.set("@jan", resolution("@jan", "jan"));
    const registry = new Registry();
    const redis = createRedisClient(server.url, { logger });
    await expect(redis.connect()).rejects.toThrow();
    const cache = await startCache(source, { redis, registry, redisTimeoutMs: 20 });
    for (let i = 0; i < 3; i++) expect((await answered(cache.resolve("@jan")))?.accountId).toBe("jan");
    expect(await metric(registry, "handles_cache_lookups_total", { tier: "postgres", result: "hit" })).toBe(3);

    await server.restart();
    // Fresh handles reach Redis once the client is back (the LRU may be trusted, and hold @jan, before that).
    let probes = 0;
    await vi.waitFor(
      async () => {
        expect((await cache.resolve("@jan"))?.accountId).toBe("jan");
        expect(await cache.resolve(`@probe${probes++}`)).toBeUndefined();
        expect(await lruHits(registry)).toBeGreaterThan(0);
        expect(await metric(registry, "handles_cache_lookups_total", { tier: "redis", result: "miss" })).toBeGreaterThan(0);
      },
      { timeout: 5_000, interval: 20 },
    );
  });

  it("reads Postgres while Redis is down, keeps a change made meanwhile for when it is back, and uses the tiers again", async () => {
    const source = fakeSource();
    source.rows.set("@ivy", resolution("@ivy", "before"));
    const registryA = new Registry();
    const registryB = new Registry();
    const a = await onOwnRedis(source, registryA);
    const b = await onOwnRedis(source, registryB);
    expect((await b.resolve("@ivy"))?.accountId).toBe("before");
    expect((await b.resolve("@ivy"))?.accountId).toBe("before");
    expect(await lruHits(registryB)).toBe(1);
    await server.kill();
    source.rows.set("@ivy", resolution("@ivy", "after"));
    await a.invalidate("@ivy");
    expect(await metric(registryA, "handles_cache_unsent_invalidations")).toBe(1);
    // b never heard of the change, yet does not answer from its LRU: its subscription is gone.
    await vi.waitFor(async () => expect((await b.resolve("@ivy"))?.accountId).toBe("after"), { timeout: 2_000, interval: 10 });
    const pgHits = await metric(registryB, "handles_cache_lookups_total", { tier: "postgres", result: "hit" });
    for (let i = 0; i < 5; i++) expect((await b.resolve("@ivy"))?.accountId).toBe("after");
    expect(await metric(registryB, "handles_cache_lookups_total", { tier: "postgres", result: "hit" })).toBe(pgHits + 5);

    await server.restart();
    await vi.waitFor(async () => expect(await metric(registryA, "handles_cache_unsent_invalidations")).toBe(0), {
      timeout: 5_000,
      interval: 20,
    });
    // Redis answers lookups again (empty at first: a miss is an answer) and the LRU is trusted again.
    const redisAnswers = async () =>
      (await metric(registryB, "handles_cache_lookups_total", { tier: "redis", result: "hit" })) +
      (await metric(registryB, "handles_cache_lookups_total", { tier: "redis", result: "miss" }));
    const outage = { redis: await redisAnswers(), lru: await lruHits(registryB) };
    // A handle never asked before: the LRU cannot hold it, so it reaches Redis once b's own
    // connection is back (b's LRU may already be trusted and filled from Postgres before that).
    let probes = 0;
    await vi.waitFor(
      async () => {
        for (let i = 0; i < 3; i++) expect((await b.resolve("@ivy"))?.accountId).toBe("after");
        expect(await b.resolve(`@probe${probes++}`)).toBeUndefined();
        expect(await redisAnswers()).toBeGreaterThan(outage.redis);
        expect(await lruHits(registryB)).toBeGreaterThan(outage.lru);
      },
      { timeout: 5_000, interval: 20 },
    );
  });
});
