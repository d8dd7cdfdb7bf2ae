import { Redis } from "ioredis";

/**
 * A Redis client pointed where nothing listens (port 1), that fails every command at once
 * instead of queueing it or reconnecting: for showing what code does when Redis is down.
 */
export function createUnreachableRedis(): Redis {
  const redis = new Redis({
    host: "127.0.0.1",
    port: 1,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on("error", () => {});
  return redis;
}
