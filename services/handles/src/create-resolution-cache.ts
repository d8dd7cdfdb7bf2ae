import { randomUUID } from "node:crypto";
import { createThrottledWarning, withDeadline } from "@paymesh/runtime";
import type { Redis } from "ioredis";
import { LRUCache } from "lru-cache";
import type { Logger } from "pino";
import { Counter, Gauge, type Registry } from "prom-client";
import type { Keyring } from "./create-keyring.js";

/** What a resolution returns, as cached: the masked name only, never the full one. */
export interface Resolution {
  handle: string;
  accountId: string;
  maskedDisplayName: string;
  network: string;
  verified: boolean;
  owner: string;
}

/** Cached "no such (active) handle". */
const ABSENT = Object.freeze({ absent: true as const });
type Entry = Resolution | typeof ABSENT;

/**
 * Fills the value key only if the generation key still holds what the reader saw before it
 * went to Postgres: a writer that committed in between bumped the generation, so a value read
 * before its commit can never be written after its invalidation.
 * KEYS: value, generation. ARGV: generation seen ('' for none), value, ttl ms.
 */
const FILL = `
local g = redis.call('GET', KEYS[2]) or ''
if g ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
`;

/**
 * Invalidates one handle everywhere in one round trip: bumps its generation (blocking fills
 * that read Postgres before the change), drops the value, and tells every instance to drop it
 * from their LRU. KEYS: value, generation. ARGV: generation ttl ms, channel, handle.
 */
const INVALIDATE = `
redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
redis.call('DEL', KEYS[1])
return redis.call('PUBLISH', ARGV[2], ARGV[3])
`;

const GENERATION_TTL_MS = 600_000;
/**
 * Pause before retrying invalidations that did not reach Redis, doubling up to the maximum
 * while they keep failing. They are also retried as soon as the connection is ready again.
 */
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 1_000;
/** Pings start with this; handles start with "@", so the two never mix. */
const PING = "~";

export interface ResolutionCacheOptions {
  redis: Redis;
  /** Redis key prefix; also names the channel (`<prefix>invalidations`). */
  prefix: string;
  keyring: Keyring;
  logger: Logger;
  registry: Registry;
  lruMax: number;
  /** 0 turns the LRU off. */
  lruTtlMs: number;
  /** 0 turns the Redis tier off. */
  redisTtlMs: number;
  negativeTtlMs: number;
  /** How often this instance pings itself through the invalidation channel. Default 250 ms. */
  heartbeatMs?: number;
  /**
   * The LRU answers only while this instance has received, back through the channel, a ping it
   * sent at most this long ago. The staleness bound. Default 750 ms.
   */
  trustMs?: number;
  /**
   * How long a lookup waits for Redis (the read, the fill) and a change for its invalidation,
   * before going on without it: to Postgres, or to retrying the invalidation in the background.
   * Redis answers in well under a millisecond when healthy; the margin absorbs event-loop lag.
   * Default 20 ms.
   */
  redisTimeoutMs?: number;
  /** The connection that subscribes. Default: a duplicate of `redis` (tests pass their own). */
  subscriber?: Redis;
  /** Reads Postgres: the active handle's resolution, or undefined. */
  load(handle: string): Promise<Resolution | undefined>;
}

export interface ResolutionCache {
  resolve(handle: string): Promise<Resolution | undefined>;
  /** After a committed change: drop the handle from Redis and every instance's LRU. */
  invalidate(handle: string): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Resolution through three tiers: in-process LRU → Redis → Postgres, caching misses too (for
 * `negativeTtlMs`). Every change is invalidated through Redis (generation bump + delete +
 * PUBLISH) and each instance's subscriber evicts the handle from its LRU.
 *
 * Staleness bound. Normally a change is visible everywhere as soon as the PUBLISH arrives
 * (milliseconds). Beyond that, every instance pings itself through the channel every
 * `heartbeatMs`. Redis delivers a channel's messages to each subscriber in the order it executed
 * the PUBLISHes, so receiving back a ping sent at time S proves that every invalidation Redis
 * executed before S has been applied here; the LRU answers only until S + `trustMs`. Any change
 * the LRU could still be missing was therefore published less than `trustMs` ago: that is the
 * bound (750 ms by default), whatever the LRU TTL, the event loop's lag or the clocks of other
 * machines (only this process's monotonic clock is used). A subscription that goes quiet only
 * pauses the LRU (ordered delivery means buffered invalidations are applied before the next ping
 * confirms); a dropped connection, where messages really are lost, clears it.
 *
 * Redis values are never left stale by a concurrent reader (generation-guarded fills); a writer
 * that fails to invalidate retries in the background until Redis takes it, and only one that dies
 * between its commit and its invalidation leaves the old value in Redis (and in LRUs filled from
 * it), for at most the Redis TTL.
 *
 * Without Redis (down, or slower than `redisTimeoutMs`) resolution still answers, from Postgres:
 * the LRU is not trusted while its subscription is not proven current, Redis reads and fills give
 * up at the deadline, and everything comes back by itself with the connection.
 *
 * Values in Redis are sealed with the keyring (the account id and owner are personal data);
 * a value that no longer opens (its key was retired) is treated as a miss.
 */
export function createResolutionCache(options: ResolutionCacheOptions): ResolutionCache {
  const { redis, prefix, keyring, logger, lruTtlMs, redisTtlMs, negativeTtlMs } = options;
  const channel = `${prefix}invalidations`;
  const lru = lruTtlMs > 0 ? new LRUCache<string, Entry>({ max: options.lruMax, ttl: lruTtlMs }) : undefined;
  const negativeLruTtl = Math.min(lruTtlMs, negativeTtlMs);
  // Bumped on every invalidation received and whenever the subscription is in doubt: a lookup
  // that started before only fills the LRU if nothing was invalidated while it ran.
  let epoch = 0;
  let subscribed = false;
  const heartbeatMs = options.heartbeatMs ?? 250;
  const trustMs = options.trustMs ?? 750;
  /** Send time (this process's monotonic clock) of the newest own ping received back. */
  let confirmedAt = -Infinity;
  const instance = `${PING}${randomUUID()}:`;
  let heartbeat: NodeJS.Timeout | undefined;
  let stopped = false;
  const inflight = new Map<string, Promise<Resolution | undefined>>();
  const subscriber = options.subscriber ?? redis.duplicate({ lazyConnect: true, maxRetriesPerRequest: null });
  const redisTimeoutMs = options.redisTimeoutMs ?? 20;
  /** Changed handles whose invalidation has not reached Redis yet. */
  const unsent = new Set<string>();
  let retryTimer: NodeJS.Timeout | undefined;
  let retryDelay = RETRY_MIN_MS;
  let retrying = false;
  const warnRead = createThrottledWarning({ logger, message: "redis cache read failed; reading postgres" });
  const warnFill = createThrottledWarning({ logger, message: "redis cache fill failed" });
  const warnInvalidate = createThrottledWarning({
    logger,
    message: "could not invalidate a changed handle in redis; retrying in the background",
  });
  const warnPing = createThrottledWarning({ logger, message: "could not publish a cache ping" });
  const warnSubscriber = createThrottledWarning({ logger, message: "invalidation subscriber connection error" });

  const fillName = "paymeshHandlesFill";
  const invalidateName = "paymeshHandlesInvalidate";
  redis.defineCommand(fillName, { lua: FILL, numberOfKeys: 2 });
  redis.defineCommand(invalidateName, { lua: INVALIDATE, numberOfKeys: 2 });
  const commands = redis as unknown as Record<string, (...args: Array<string | number>) => Promise<number>>;
  // A hash tag keeps a handle's value and generation in one slot, for Redis Cluster.
  const valueKey = (handle: string) => `${prefix}{${handle}}:v`;
  const generationKey = (handle: string) => `${prefix}{${handle}}:g`;

  const lookups = new Counter({
    name: "handles_cache_lookups_total",
    help: "Handle resolutions by cache tier and result (postgres is the source of truth: hit = found).",
    labelNames: ["tier", "result"],
    registers: [options.registry],
  });
  const count = {
    lruHit: lookups.labels("lru", "hit"),
    lruMiss: lookups.labels("lru", "miss"),
    redisHit: lookups.labels("redis", "hit"),
    redisMiss: lookups.labels("redis", "miss"),
    pgHit: lookups.labels("postgres", "hit"),
    pgMiss: lookups.labels("postgres", "miss"),
  };
  const redisErrors = new Counter({
    name: "handles_cache_redis_errors_total",
    help: "Redis cache operations that failed or missed their deadline (the lookup fell through to Postgres).",
    registers: [options.registry],
  });
  new Gauge({
    name: "handles_cache_unsent_invalidations",
    help: "Changed handles whose invalidation has not reached Redis yet (retried until it does).",
    registers: [options.registry],
    collect() {
      this.set(unsent.size);
    },
  });

  const toRedis = (handle: string, entry: Entry): string => {
    if (!("handle" in entry)) return "-";
    const { keyId, sealed } = keyring.seal(JSON.stringify(entry), `cache|${handle}`);
    return `${keyId}.${sealed.toString("base64")}`;
  };
  const fromRedis = (handle: string, value: string): Entry | undefined => {
    if (value === "-") return ABSENT;
    const dot = value.indexOf(".");
    try {
      return JSON.parse(keyring.open(value.slice(0, dot), Buffer.from(value.slice(dot + 1), "base64"), `cache|${handle}`)) as Resolution;
    } catch {
      return undefined;
    }
  };
  /** Whether the LRU may answer (and be filled). */
  const trusted = (): boolean => {
    return subscribed && performance.now() - confirmedAt <= trustMs;
  };
  const remember = (handle: string, entry: Entry, since: number) => {
    if (lru === undefined || epoch !== since || !trusted()) return;
    lru.set(handle, entry, entry === ABSENT ? { ttl: negativeLruTtl } : undefined);
  };
  const answer = (entry: Entry): Resolution | undefined => (entry === ABSENT ? undefined : (entry as Resolution));

  async function fromLowerTiers(handle: string): Promise<Resolution | undefined> {
    const since = epoch;
    let generation: string | null = null;
    if (redisTtlMs > 0) {
      try {
        const [value, seen] = await withDeadline(redis.mget(valueKey(handle), generationKey(handle)), redisTimeoutMs, "redis MGET");
        generation = seen ?? "";
        const entry = value === null || value === undefined ? undefined : fromRedis(handle, value);
        if (entry !== undefined) {
          count.redisHit.inc();
          remember(handle, entry, since);
          return answer(entry);
        }
        count.redisMiss.inc();
      } catch (error) {
        redisErrors.inc();
        warnRead(error);
      }
    }
    const found = await options.load(handle);
    (found ? count.pgHit : count.pgMiss).inc();
    const entry: Entry = found ?? ABSENT;
    if (generation !== null) {
      const ttl = found ? redisTtlMs : Math.min(redisTtlMs, negativeTtlMs);
      // A fill that lands after its deadline is still guarded by the generation it read.
      const fill = commands[fillName]!.call(redis, valueKey(handle), generationKey(handle), generation, toRedis(handle, entry), ttl);
      await withDeadline(fill, redisTimeoutMs, "redis cache fill").catch((error: unknown) => {
        redisErrors.inc();
        warnFill(error);
      });
    }
    remember(handle, entry, since);
    return found;
  }

  // Past its deadline an invalidation may still run; running it again is harmless.
  const publishInvalidation = (handle: string) =>
    withDeadline(
      commands[invalidateName]!.call(redis, valueKey(handle), generationKey(handle), GENERATION_TTL_MS, channel, handle),
      redisTimeoutMs,
      "redis invalidation",
    );
  const scheduleRetry = () => {
    if (stopped || retryTimer !== undefined || unsent.size === 0) return;
    retryTimer = setTimeout(() => void retryUnsent(), retryDelay);
    retryTimer.unref();
  };
  /**
   * Sends the invalidations that did not reach Redis, oldest first, until one fails; then waits
   * (backing off) or for the connection to be ready again. However long Redis is out, a change is
   * never left to expire from Redis by its TTL while this instance runs.
   */
  async function retryUnsent(): Promise<void> {
    clearTimeout(retryTimer);
    retryTimer = undefined;
    if (retrying || stopped || unsent.size === 0) return;
    retrying = true;
    let sent = 0;
    try {
      for (const handle of unsent) {
        await publishInvalidation(handle);
        unsent.delete(handle);
        sent++;
      }
      retryDelay = RETRY_MIN_MS;
    } catch (error) {
      redisErrors.inc();
      warnInvalidate(error);
      retryDelay = Math.min(retryDelay * 2, RETRY_MAX_MS);
    } finally {
      retrying = false;
      if (sent > 0) logger.info({ handles: sent, left: unsent.size }, "invalidated changed handles in redis after retrying");
      scheduleRetry();
    }
  }
  const onRedisReady = () => void retryUnsent();

  const evict = (handle: string) => {
    epoch++;
    lru?.delete(handle);
    inflight.delete(handle);
  };
  const distrust = () => {
    subscribed = false;
    epoch++;
    lru?.clear();
  };
  const heard = (message: string) => {
    if (!message.startsWith(PING)) return evict(message);
    if (!message.startsWith(instance)) return;
    const sentAt = Number(message.slice(instance.length));
    if (sentAt > confirmedAt) confirmedAt = sentAt;
  };
  const trustAgain = () => {
    lru?.clear();
    epoch++;
    // Just subscribed: nothing published from now on can be missed.
    confirmedAt = performance.now();
    subscribed = true;
  };

  return {
    async resolve(handle) {
      if (lru !== undefined && trusted()) {
        const entry = lru.get(handle);
        if (entry !== undefined) {
          count.lruHit.inc();
          return answer(entry);
        }
        count.lruMiss.inc();
      }
      // One lower-tier lookup per handle at a time: a burst on a cold handle reads Postgres once.
      let pending = inflight.get(handle);
      if (pending === undefined) {
        pending = fromLowerTiers(handle).finally(() => {
          if (inflight.get(handle) === pending) inflight.delete(handle);
        });
        inflight.set(handle, pending);
      }
      return pending;
    },
    async invalidate(handle) {
      evict(handle);
      try {
        await publishInvalidation(handle);
      } catch (error) {
        // The change is committed: answer the caller, keep trying in the background.
        redisErrors.inc();
        warnInvalidate(error);
        unsent.add(handle);
        scheduleRetry();
      }
    },
    async start() {
      subscriber.on("message", (from: string, handle: string) => {
        if (from === channel) heard(handle);
      });
      subscriber.on("error", warnSubscriber);
      subscriber.on("close", distrust);
      subscriber.on("reconnecting", distrust);
      redis.on("ready", onRedisReady);
      subscriber.on("ready", () => {
        // ioredis resubscribes on reconnect; confirm before trusting the LRU again.
        if (!subscribed) {
          void subscriber
            .subscribe(channel)
            .then(trustAgain, (error: unknown) => logger.warn({ err: error }, "could not resubscribe to handle invalidations"));
        }
      });
      try {
        if (subscriber.status === "wait") await subscriber.connect();
        await subscriber.subscribe(channel);
        trustAgain();
      } catch (error) {
        // Starting while Redis is out: the LRU stays off until the subscriber is ready (above).
        logger.warn({ err: error }, "starting without the invalidation channel; resolving without the in-process cache");
      }
      heartbeat = setInterval(() => {
        // The send time is taken before the PUBLISH executes, so the proof it gives is conservative.
        redis.publish(channel, `${instance}${performance.now()}`).catch(warnPing);
      }, heartbeatMs);
      heartbeat.unref();
    },
    async stop() {
      stopped = true;
      clearInterval(heartbeat);
      clearTimeout(retryTimer);
      redis.off("ready", onRedisReady);
      if (unsent.size > 0) {
        logger.error(
          { handles: unsent.size },
          "stopping with changed handles not invalidated in redis; other instances may serve them stale until the redis TTL",
        );
      }
      subscriber.removeAllListeners();
      subscribed = false;
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
}
