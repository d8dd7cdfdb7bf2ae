import { Code } from "@connectrpc/connect";
import { connectErrorOf } from "@paymesh/testkit";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Directory, startDirectory } from "../test/start-directory.js";

// 40 tokens, refilled at 1 per second: two misses (20 each) empty it. These tests read the shared
// buckets in Redis: a generous deadline keeps a busy machine from metering a step in process.
const ENV = { HANDLES_BUCKET_CAPACITY: "40", HANDLES_BUCKET_REFILL_PER_MINUTE: "60", HANDLES_REDIS_TIMEOUT_MS: "1000" };

let dir: Directory;
let second: Awaited<ReturnType<Directory["another"]>>;
let redis: Redis;

beforeAll(async () => {
  dir = await startDirectory(ENV);
  second = await dir.another(ENV);
  redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  const account = await dir.openAccount("owner");
  await dir.as("owner").registerHandle({ handle: "known", accountId: account, displayName: "Known Person" });
});

afterAll(async () => {
  redis?.disconnect();
  await dir?.stop();
});

/** What the caller's bucket holds, as stored (before any refill since its last use). */
async function storedTokens(caller: string): Promise<number> {
  return Number(await redis.hget(`${dir.redisPrefix}bucket:${caller}`, "tokens"));
}

describe("the lookup token bucket", () => {
  it("charges 1 for a hit and 20 for a miss", async () => {
    const u = dir.as("counted");
    for (let i = 0; i < 10; i++) await u.resolveHandle({ handle: "known" });
    // 40 - 10, plus at most a few tokens refilled while the calls ran.
    const afterHits = await storedTokens("user:counted");
    expect(afterHits).toBeGreaterThanOrEqual(30);
    expect(afterHits).toBeLessThan(34);
    expect((await connectErrorOf(u.resolveHandle({ handle: "unknown1" }))).code).toBe(Code.NotFound);
    const afterMiss = await storedTokens("user:counted");
    expect(afterHits - afterMiss).toBeGreaterThan(19);
    expect(afterHits - afterMiss).toBeLessThanOrEqual(20);
  });

  it("empties after two misses, says when to retry, and refills", async () => {
    const u = dir.as("scraper");
    for (const handle of ["guess1", "guess2"]) expect((await connectErrorOf(u.resolveHandle({ handle }))).code).toBe(Code.NotFound);
    const refused = await connectErrorOf(u.resolveHandle({ handle: "known" }));
    expect(refused.code).toBe(Code.ResourceExhausted);
    expect(refused.rawMessage).toMatch(/try again in \d+ s/);
    const retryAfterMs = Number(refused.metadata.get("retry-after-ms"));
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(retryAfterMs).toBeLessThanOrEqual(1_000);
    // Refused lookups cost nothing and do not resolve, not even a known handle.
    expect((await connectErrorOf(u.resolveHandle({ handle: "guess3" }))).code).toBe(Code.ResourceExhausted);
    // The bucket is shared by every instance.
    expect((await connectErrorOf(dir.as("scraper", "user", second).resolveHandle({ handle: "known" }))).code).toBe(Code.ResourceExhausted);
    await new Promise((resolve) => setTimeout(resolve, retryAfterMs + 50));
    const { resolved } = await u.resolveHandle({ handle: "known" });
    expect(resolved?.maskedDisplayName).toBe("Known P.");
  });

  it("keeps a caller who misses waiting for the full price of the miss", async () => {
    const u = dir.as("debtor");
    await connectErrorOf(u.resolveHandle({ handle: "guess1" }));
    await connectErrorOf(u.resolveHandle({ handle: "guess2" }));
    // Balance about 0; one more admitted miss (after a 1-token refill) would take it to -19.
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    expect((await connectErrorOf(u.resolveHandle({ handle: "guess3" }))).code).toBe(Code.NotFound);
    expect(await storedTokens("user:debtor")).toBeLessThan(-15);
    const refused = await connectErrorOf(u.resolveHandle({ handle: "known" }));
    expect(refused.code).toBe(Code.ResourceExhausted);
    expect(Number(refused.metadata.get("retry-after-ms"))).toBeGreaterThan(15_000);
  });

  it("meters registrations like lookups: a refusal that a handle is taken costs a miss, then nothing is told", async () => {
    const prober = dir.as("prober");
    const account = await dir.openAccount("prober");
    for (const handle of ["known", "known_"]) {
      expect((await connectErrorOf(prober.registerHandle({ handle, accountId: account, displayName: "P" }))).code).toBe(Code.AlreadyExists);
    }
    const refused = await connectErrorOf(prober.registerHandle({ handle: "known", accountId: account, displayName: "P" }));
    expect(refused.code).toBe(Code.ResourceExhausted);
    expect(refused.rawMessage).not.toContain("taken");
    expect(await storedTokens("user:prober")).toBeLessThan(5);
  });

  it("exempts services, which also see the owner", async () => {
    const transfers = dir.as("transfers", "service");
    for (let i = 0; i < 30; i++) expect((await connectErrorOf(transfers.resolveHandle({ handle: `nobody${i}` }))).code).toBe(Code.NotFound);
    const { resolved } = await transfers.resolveHandle({ handle: "known" });
    expect(resolved?.owner).toBe("owner");
    expect(await redis.exists(`${dir.redisPrefix}bucket:service:transfers`)).toBe(0);
  });

  it("meters a service's lookup on behalf of a person against that person's bucket, hits and misses alike", async () => {
    const transfers = dir.as("transfers", "service");
    const { resolved } = await transfers.resolveHandle({ handle: "known", onBehalfOf: "payer" });
    // The answer is the service's (with the owner); the price is the payer's.
    expect(resolved).toMatchObject({ maskedDisplayName: "Known P.", owner: "owner" });
    const afterHit = await storedTokens("user:payer");
    expect(afterHit).toBeGreaterThanOrEqual(39);
    expect(afterHit).toBeLessThan(40);
    for (const handle of ["guess1", "guess2"]) {
      expect((await connectErrorOf(transfers.resolveHandle({ handle, onBehalfOf: "payer" }))).code).toBe(Code.NotFound);
    }
    // Empty for the payer, whoever asks: themselves, or a service for them.
    const refused = await connectErrorOf(transfers.resolveHandle({ handle: "known", onBehalfOf: "payer" }));
    expect(refused.code).toBe(Code.ResourceExhausted);
    expect(Number(refused.metadata.get("retry-after-ms"))).toBeGreaterThan(0);
    expect((await connectErrorOf(dir.as("payer").resolveHandle({ handle: "known" }))).code).toBe(Code.ResourceExhausted);
    // The service's own lookups stay exempt, and nobody else's bucket was touched.
    expect((await transfers.resolveHandle({ handle: "known" })).resolved?.owner).toBe("owner");
    expect(await redis.exists(`${dir.redisPrefix}bucket:service:transfers`)).toBe(0);
  });

  it("lets only services resolve on behalf of someone", async () => {
    for (const role of ["user", "operator"] as const) {
      const refused = await connectErrorOf(dir.as("sly", role).resolveHandle({ handle: "known", onBehalfOf: "victim" }));
      expect(refused.code).toBe(Code.PermissionDenied);
    }
    expect(await redis.exists(`${dir.redisPrefix}bucket:user:victim`, `${dir.redisPrefix}bucket:user:sly`)).toBe(0);
  });

  it("meters operators like anyone else", async () => {
    const ops = dir.as("ops", "operator");
    await connectErrorOf(ops.resolveHandle({ handle: "guess1" }));
    await connectErrorOf(ops.resolveHandle({ handle: "guess2" }));
    expect((await connectErrorOf(ops.resolveHandle({ handle: "guess3" }))).code).toBe(Code.ResourceExhausted);
  });
});
