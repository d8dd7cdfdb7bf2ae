import { createHash, randomUUID } from "node:crypto";
import { createThrottledWarning, withDeadline } from "@paymesh/runtime";
import type { Redis } from "ioredis";
import type { Logger } from "pino";

/** What the fast path says about a request's idempotency key. */
type GateTicket =
  /** This request is the first with the key right now: it goes ahead; release() when it created nothing. */
  | { role: "leader"; release(): Promise<void> }
  /** Another request with the key is in flight or done: wait for its transfer instead of starting one. */
  | { role: "follower"; stillHeld(): Promise<boolean> }
  /** The fast path is off or Redis failed: go ahead and rely on the database alone. */
  | { role: "bypass" };

export interface IdempotencyGate {
  enter(caller: string, idempotencyKey: string): Promise<GateTicket>;
}

export interface IdempotencyGateOptions {
  /** Null turns the fast path off. */
  redis: Redis | null;
  /**
   * Scopes the keys to the database that holds the durable records (its name), so deployments
   * or test runs sharing a Redis never see each other's claims.
   */
  namespace: string;
  logger: Logger;
  /** How long a key stays claimed. Default 30 s: covers retries of a request still in flight. */
  ttlMs?: number;
  /** A Redis call slower than this counts as a failure. Default 100 ms. */
  timeoutMs?: number;
}

const RELEASE_IF_OURS = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;

/**
 * The Redis fast path of idempotency (SET NX per caller and key, short TTL): concurrent
 * duplicates of a request find the key taken and wait for the first one's transfer instead of
 * each resolving the payee and racing to insert. It only coalesces work: the unique
 * (payer, idempotency_key) row in Postgres is what makes a key single-use, so any Redis failure
 * (down, slow, evicted keys) degrades to `bypass` and never to a wrong answer.
 */
export function createIdempotencyGate(options: IdempotencyGateOptions): IdempotencyGate {
  const { redis, logger } = options;
  const ttlMs = options.ttlMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 100;
  const bounded = <T>(call: Promise<T>): Promise<T> => withDeadline(call, timeoutMs, "redis");
  const warn = createThrottledWarning({ logger, message: "idempotency fast path unavailable; relying on the database" });

  return {
    async enter(caller, idempotencyKey) {
      if (redis === null) return { role: "bypass" };
      // Hashed: keys are up to 255 arbitrary characters and subjects are caller-chosen strings.
      const key = `transfers:idem:${options.namespace}:${createHash("sha256").update(caller).update("\0").update(idempotencyKey).digest("base64url")}`;
      const token = randomUUID();
      try {
        const claimed = await bounded(redis.set(key, token, "PX", ttlMs, "NX"));
        if (claimed === "OK") {
          return {
            role: "leader",
            release: () => bounded(redis.eval(RELEASE_IF_OURS, 1, key, token)).then(() => undefined, warn),
          };
        }
        return {
          role: "follower",
          stillHeld: () =>
            bounded(redis.exists(key)).then(
              (n) => n === 1,
              (error: unknown) => {
                warn(error);
                return false;
              },
            ),
        };
      } catch (error) {
        warn(error);
        return { role: "bypass" };
      }
    },
  };
}
