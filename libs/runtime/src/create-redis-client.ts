import { Redis } from "ioredis";
import type { Logger } from "pino";
import { createThrottledWarning } from "./create-throttled-warning.js";

export interface RedisClientOptions {
  logger: Logger;
  /**
   * No command waits longer than this for its reply, even where its caller set no deadline of
   * its own. Default 1 000 ms.
   */
  commandTimeoutMs?: number;
  /**
   * A connection with a command outstanding and nothing received for this long is dropped (and
   * reconnected), so a hung server becomes a disconnected one, where commands fail at once.
   * Default 2 000 ms.
   */
  socketTimeoutMs?: number;
  /** How long one attempt to open a connection may take. Default 2 000 ms (ioredis: 10 s). */
  connectTimeoutMs?: number;
  /**
   * Reconnection backs off from 50 ms, doubling, up to this (plus up to 100 ms of jitter), for
   * ever: the client is usable again about this soon after Redis is. Default 1 000 ms.
   */
  maxReconnectDelayMs?: number;
}

/**
 * The Redis client of a service, for Redis as a cache, a rate limiter or a fast path: never as
 * what a request waits on. Commands fail fast instead of queueing: while disconnected they are
 * refused at once (no offline queue), those in flight when a connection drops fail at once (no
 * retries across reconnects), and none waits past `commandTimeoutMs`. Every call on a request
 * path still takes its own short deadline (`withDeadline`) and a fallback that needs no Redis.
 * Connects when `connect()` is called; reconnects by itself for as long as it is not closed.
 */
export function createRedisClient(url: string, options: RedisClientOptions): Redis {
  const maxDelay = options.maxReconnectDelayMs ?? 1_000;
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs ?? 1_000,
    socketTimeout: options.socketTimeoutMs ?? 2_000,
    connectTimeout: options.connectTimeoutMs ?? 2_000,
    retryStrategy: (times) => Math.min(50 * 2 ** (times - 1), maxDelay) + Math.floor(Math.random() * 100),
  });
  // Without a listener ioredis prints every failed reconnection attempt to stderr.
  redis.on("error", createThrottledWarning({ logger: options.logger, message: "redis connection error" }));
  let lost = false;
  redis.on("reconnecting", () => {
    lost = true;
  });
  redis.on("ready", () => {
    if (lost) options.logger.info("redis connection ready again");
    lost = false;
  });
  return redis;
}
