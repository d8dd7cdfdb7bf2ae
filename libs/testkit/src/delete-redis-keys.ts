import { Redis } from "ioredis";

/**
 * Deletes every key matching one of the SCAN `patterns` on the local Redis (`REDIS_URL`,
 * default `redis://127.0.0.1:6379`). SCAN rather than KEYS, so other test files sharing the
 * server are never blocked behind a walk of the whole keyspace.
 */
export async function deleteRedisKeys(patterns: readonly string[]): Promise<void> {
  const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  try {
    for (const pattern of patterns) {
      let cursor = "0";
      do {
        const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== "0");
    }
  } finally {
    redis.disconnect();
  }
}
