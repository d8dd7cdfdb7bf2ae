import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";

/** A Redis key prefix no other test file uses, and a way to delete every key under it. */
export function redisTestPrefix(): { prefix: string; cleanup(): Promise<void> } {
  const prefix = `test:handles:${randomBytes(5).toString("hex")}:`;
  return {
    prefix,
    async cleanup() {
      const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
      try {
        let cursor = "0";
        do {
          const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
          if (keys.length > 0) await redis.del(...keys);
          cursor = next;
        } while (cursor !== "0");
      } finally {
        redis.disconnect();
      }
    },
  };
}
