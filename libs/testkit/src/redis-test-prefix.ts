import { randomBytes } from "node:crypto";
import { deleteRedisKeys } from "./delete-redis-keys.js";

/**
 * A Redis key prefix no other test file uses, and a way to delete every key under it. It names
 * the caller (`redisTestPrefix("handles")` gives `test:handles:<random>:`), so a leftover key
 * says whose it is.
 */
export function redisTestPrefix(caller: string): { prefix: string; cleanup(): Promise<void> } {
  // The prefix is a SCAN pattern in cleanup(): a glob character would match other files' keys.
  if (!/^[a-z0-9-]+$/.test(caller)) throw new Error(`redisTestPrefix: ${JSON.stringify(caller)} is not lower-case letters, digits and -`);
  const prefix = `test:${caller}:${randomBytes(5).toString("hex")}:`;
  return { prefix, cleanup: () => deleteRedisKeys([`${prefix}*`]) };
}
