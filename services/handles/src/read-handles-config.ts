import { createHash } from "node:crypto";
import { createEnvReader, type Env } from "@paymesh/runtime";
import { type BucketPolicy, bucketPolicyProblems } from "./bucket-policy.js";
import { createKeyring, KEY_BYTES, type Keyring } from "./create-keyring.js";

/**
 * Development-only keys so `npm start` works on a fresh machine. They are public (derived from
 * strings in the repository) and therefore refused when NODE_ENV=production.
 */
const DEVELOPMENT_KEY_ID = "dev";
export const DEVELOPMENT_ENCRYPTION_KEY = createHash("sha256").update("paymesh-handles-development-encryption-key").digest();
export const DEVELOPMENT_INDEX_KEY = createHash("sha256").update("paymesh-handles-development-blind-index-key").digest();

const BUCKET_VARIABLES = {
  capacity: "HANDLES_BUCKET_CAPACITY",
  refillPerMinute: "HANDLES_BUCKET_REFILL_PER_MINUTE",
  hitCost: "HANDLES_LOOKUP_HIT_COST",
  missCost: "HANDLES_LOOKUP_MISS_COST",
};

/** The handles service's own settings (beside the shared ones of loadConfig). */
export interface HandlesConfig {
  /** Network every new handle is registered on. `HANDLES_NETWORK`, default `paymesh`. */
  network: string;
  /** Prefix of every Redis key and of the invalidation channel. `HANDLES_REDIS_PREFIX`, default `paymesh:handles:`. */
  redisPrefix: string;
  /** How long a deactivated handle is held back from anyone but its last owner. `HANDLES_COOLDOWN_SECONDS`, default 30 days. */
  cooldownSeconds: number;
  /**
   * How long a request waits for any Redis call (cache read and fill, invalidation, token
   * bucket) before taking its fallback (Postgres, a background retry, the in-process bucket).
   * `HANDLES_REDIS_TIMEOUT_MS`, default 20.
   */
  redisTimeoutMs: number;
  cache: {
    /** In-process LRU entries. `HANDLES_LRU_MAX`, default 100 000. */
    lruMax: number;
    /**
     * LRU time to live; 0 turns the tier off. `HANDLES_LRU_TTL_MS`, default 30 000. Not the
     * staleness bound: an LRU answers only while its invalidation subscription is proven current
     * (see createResolutionCache); this only limits memory held by handles nobody asks for.
     */
    lruTtlMs: number;
    /** Redis time to live; 0 turns the tier off. `HANDLES_REDIS_TTL_MS`, default 120 000 (the bound if a writer dies before invalidating). */
    redisTtlMs: number;
    /** Time to live of a cached "no such handle" in either tier. `HANDLES_NEGATIVE_TTL_MS`, default 5 000. */
    negativeTtlMs: number;
  };
  /**
   * The lookup policy in force until one is set through SetLookupPolicy (which then wins on every
   * instance): `HANDLES_BUCKET_CAPACITY` (default 100), `HANDLES_BUCKET_REFILL_PER_MINUTE` (60),
   * `HANDLES_LOOKUP_HIT_COST` (1), `HANDLES_LOOKUP_MISS_COST` (20).
   */
  bucket: BucketPolicy;
  /**
   * Pause between the re-reads of the stored lookup policy, the bound on how late an instance
   * applies a change whose event it missed. `HANDLES_LOOKUP_POLICY_REFRESH_MS`, default 500.
   */
  lookupPolicyRefreshMs: number;
  keyring: Keyring;
}

/**
 * Reads the handles settings with the runtime's fail-at-start rules: every problem is reported
 * at once, naming its variable.
 *
 * Keys: `HANDLES_ENCRYPTION_KEYS=kid1:<base64 32 bytes>,kid2:<base64 32 bytes>` is the ring,
 * `HANDLES_ENCRYPTION_KEY_ID=kid2` the key new values are sealed under (optional with one key),
 * `HANDLES_BLIND_INDEX_KEY=<base64 32 bytes>` the key of the owner index. Without them a public
 * development key is used, which NODE_ENV=production refuses.
 */
export function readHandlesConfig(env: Env, nodeEnv: string): HandlesConfig {
  const reader = createEnvReader(env);
  const production = nodeEnv === "production";
  const keys = new Map<string, Buffer>();
  const keySpec = reader.string("HANDLES_ENCRYPTION_KEYS", "");
  if (keySpec === "") {
    if (production) reader.problem("HANDLES_ENCRYPTION_KEYS", "the built-in development key is refused when NODE_ENV=production");
    keys.set(DEVELOPMENT_KEY_ID, DEVELOPMENT_ENCRYPTION_KEY);
  } else {
    for (const part of keySpec
      .split(",")
      .map((p) => p.trim())
      .filter((p) => p !== "")) {
      const match = /^([A-Za-z0-9_-]{1,32}):([A-Za-z0-9+/=_-]+)$/.exec(part);
      const key = match ? Buffer.from(match[2]!, "base64") : undefined;
      if (!match || key!.length !== KEY_BYTES) {
        reader.problem(
          "HANDLES_ENCRYPTION_KEYS",
          `each entry must be <key id>:<base64 of ${KEY_BYTES} bytes>, e.g. k1:$(openssl rand -base64 32)`,
        );
        continue;
      }
      if (keys.has(match[1]!)) reader.problem("HANDLES_ENCRYPTION_KEYS", `key id ${match[1]} appears twice`);
      if (production && key!.equals(DEVELOPMENT_ENCRYPTION_KEY)) {
        reader.problem("HANDLES_ENCRYPTION_KEYS", "the built-in development key is refused when NODE_ENV=production");
      }
      keys.set(match[1]!, key!);
    }
  }
  const onlyKey = keys.size === 1 ? [...keys.keys()][0]! : "";
  const currentKeyId = reader.string("HANDLES_ENCRYPTION_KEY_ID", onlyKey);
  if (keys.size > 0 && !keys.has(currentKeyId)) {
    reader.problem("HANDLES_ENCRYPTION_KEY_ID", `must name one of the keys in HANDLES_ENCRYPTION_KEYS (${[...keys.keys()].join(", ")})`);
  }
  let indexKey = DEVELOPMENT_INDEX_KEY;
  const indexSpec = reader.string("HANDLES_BLIND_INDEX_KEY", "");
  if (indexSpec === "") {
    if (production) reader.problem("HANDLES_BLIND_INDEX_KEY", "the built-in development key is refused when NODE_ENV=production");
  } else {
    indexKey = Buffer.from(indexSpec, "base64");
    if (indexKey.length !== KEY_BYTES) reader.problem("HANDLES_BLIND_INDEX_KEY", `must be the base64 of ${KEY_BYTES} bytes`);
    else if (production && indexKey.equals(DEVELOPMENT_INDEX_KEY)) {
      reader.problem("HANDLES_BLIND_INDEX_KEY", "the built-in development key is refused when NODE_ENV=production");
    }
  }
  const config = {
    network: reader.match("HANDLES_NETWORK", "paymesh", /^[a-z][a-z0-9_-]{0,31}$/, "a lower-case network name"),
    redisPrefix: reader.match("HANDLES_REDIS_PREFIX", "paymesh:handles:", /^[A-Za-z0-9:_.-]{1,64}$/, "letters, digits and : _ . -"),
    cooldownSeconds: reader.integer("HANDLES_COOLDOWN_SECONDS", 30 * 24 * 3600, 0, 10 * 365 * 24 * 3600),
    redisTimeoutMs: reader.integer("HANDLES_REDIS_TIMEOUT_MS", 20, 1, 10_000),
    cache: {
      lruMax: reader.integer("HANDLES_LRU_MAX", 100_000, 1, 10_000_000),
      lruTtlMs: reader.integer("HANDLES_LRU_TTL_MS", 30_000, 0, 3_600_000),
      redisTtlMs: reader.integer("HANDLES_REDIS_TTL_MS", 120_000, 0, 86_400_000),
      negativeTtlMs: reader.integer("HANDLES_NEGATIVE_TTL_MS", 5_000, 1, 3_600_000),
    },
    bucket: {
      capacity: reader.integer("HANDLES_BUCKET_CAPACITY", 100, 1, 1_000_000_000),
      refillPerMinute: reader.integer("HANDLES_BUCKET_REFILL_PER_MINUTE", 60, 1, 1_000_000_000),
      hitCost: reader.integer("HANDLES_LOOKUP_HIT_COST", 1, 1, 1_000_000),
      missCost: reader.integer("HANDLES_LOOKUP_MISS_COST", 20, 1, 1_000_000),
    },
    lookupPolicyRefreshMs: reader.integer("HANDLES_LOOKUP_POLICY_REFRESH_MS", 500, 10, 60_000),
  };
  for (const [field, message] of bucketPolicyProblems(config.bucket, BUCKET_VARIABLES)) reader.problem(BUCKET_VARIABLES[field], message);
  reader.finish();
  return { ...config, keyring: createKeyring({ keys, currentKeyId, indexKey }) };
}
