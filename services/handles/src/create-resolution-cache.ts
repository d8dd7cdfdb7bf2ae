import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { LRUCache } from "lru-cache";
import type { Logger } from "pino";
import { Counter, type Registry } from "prom-client";
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
/** Background attempts after a failed invalidation (backing off 200 ms … 3.2 s). */
const INVALIDATE_RETRIES = 5;
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
 * that fails to invalidate retries in the background, and only one that dies between its commit
 * and its invalidation leaves the old value in Redis (and in LRUs filled from it), for at most the
 * Redis TTL.
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
    help: "Redis cache operations that failed (the lookup fell through to Postgres).",
    registers: [options.registry],
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
        const [value, seen] = await redis.mget(valueKey(handle), generationKey(handle));
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
        logger.warn({ err: error }, "redis cache read failed; reading postgres");
      }
    }
    const found = await options.load(handle);
    (found ? count.pgHit : count.pgMiss).inc();
    const entry: Entry = found ?? ABSENT;
    if (generation !== null) {
      const ttl = found ? redisTtlMs : Math.min(redisTtlMs, negativeTtlMs);
      await commands[fillName]!.call(redis, valueKey(handle), generationKey(handle), generation, toRedis(handle, entry), ttl).catch(
        (error: unknown) => {
          redisErrors.inc();
          logger.warn({ err: error }, "redis cache fill failed");
        },
      );
    }
    remember(handle, entry, since);
    return found;
  }

  const publishInvalidation = (handle: string) =>
    commands[invalidateName]!.call(redis, valueKey(handle), generationKey(handle), GENERATION_TTL_MS, channel, handle);
  async function retryInvalidation(handle: string): Promise<void> {
    for (let retry = 1; retry <= INVALIDATE_RETRIES && !stopped; retry++) {
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** retry).unref());
      try {
        await publishInvalidation(handle);
        logger.info({ handle, attempts: retry + 1 }, "invalidated a changed handle after retrying");
        return;
      } catch (error) {
        redisErrors.inc();
        if (retry === INVALIDATE_RETRIES) {
          logger.error(
            { err: error, handle },
            "gave up invalidating a changed handle; other instances may serve it stale until the redis TTL",
          );
        }
      }
    }
  }

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
        logger.warn({ err: error, handle }, "could not invalidate a changed handle in redis; retrying in the background");
        void retryInvalidation(handle);
      }
    },
    async start() {
      subscriber.on("message", (from: string, handle: string) => {
        if (from === channel) heard(handle);
      });
      subscriber.on("close", distrust);
      subscriber.on("reconnecting", distrust);
      subscriber.on("ready", () => {
        // ioredis resubscribes on reconnect; confirm before trusting the LRU again.
        if (!subscribed) {
          void subscriber
            .subscribe(channel)
            .then(trustAgain, (error: unknown) => logger.warn({ err: error }, "could not resubscribe to handle invalidations"));
        }
      });
      if (subscriber.status === "wait") await subscriber.connect();
      await subscriber.subscribe(channel);
      trustAgain();
      heartbeat = setInterval(() => {
        // The send time is taken before the PUBLISH executes, so the proof it gives is conservative.
        redis
          .publish(channel, `${instance}${performance.now()}`)
          .catch((error: unknown) => logger.warn({ err: error }, "could not publish a cache ping"));
      }, heartbeatMs);
      heartbeat.unref();
    },
    async stop() {
      stopped = true;
      clearInterval(heartbeat);
      subscriber.removeAllListeners();
      subscribed = false;
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
}
