import { fromBinary } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { EventHeaders, streamNameFor } from "@paymesh/events";
import { LookupPolicyChangedSchema } from "@paymesh/gen/paymesh/handles/v1/events_pb";
import { connectErrorOf, type RedisServer, startRedisServer } from "@paymesh/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Directory, startDirectory } from "../test/start-directory.js";

/** The brief's bound: every instance applies a new policy within a second. */
const CONVERGENCE_BOUND_MS = 1_000;

// The settings' policy, in force until one is set. The buckets are read in Redis patiently, so
// that a busy machine does not move a step in process.
const ENV = {
  HANDLES_BUCKET_CAPACITY: "40",
  HANDLES_BUCKET_REFILL_PER_MINUTE: "60",
  HANDLES_LOOKUP_HIT_COST: "1",
  HANDLES_LOOKUP_MISS_COST: "20",
  HANDLES_REDIS_TIMEOUT_MS: "1000",
  OUTBOX_RETENTION_MS: "3600000",
};
const SETTINGS = { capacity: 40n, refillPerMinute: 60n, hitCost: 1n, missCost: 20n };

let dir: Directory;
/** A second instance that re-reads the stored policy only once a minute: only the event can reach it in time. */
let pushOnly: Awaited<ReturnType<Directory["another"]>>;
/** A third instance on a Redis of its own, which the tests stop. */
let redisless: Awaited<ReturnType<Directory["another"]>>;
let redis: RedisServer;

beforeAll(async () => {
  dir = await startDirectory(ENV);
  pushOnly = await dir.another({ ...ENV, HANDLES_LOOKUP_POLICY_REFRESH_MS: "60000" });
  redis = await startRedisServer();
  redisless = await dir.another({ ...ENV, REDIS_URL: redis.url, HANDLES_REDIS_TIMEOUT_MS: "20" });
  const account = await dir.openAccount("owner");
  await dir.as("owner").registerHandle({ handle: "known", accountId: account, displayName: "Known Person" });
});

afterAll(async () => {
  await dir?.stop();
  await redis?.stop();
});

const ops = () => dir.as("ops", "operator");

/** The stored row, for "nothing changed" checks. */
async function storedPolicy() {
  const rows = await dir.sql`select capacity, refill_per_minute, hit_cost, miss_cost, revision::int, updated_by from lookup_policy`;
  return rows.map((row) => ({ ...row }));
}

/** Every LookupPolicyChanged on this mesh's handles stream, decoded. */
async function policyEvents() {
  const stream = streamNameFor(dir.mesh.prefix, "handles");
  const { state } = await dir.mesh.nats.jsm.streams.info(stream);
  const events = [];
  for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq += 1) {
    const message = await dir.mesh.nats.jsm.streams.getMessage(stream, { seq });
    if (message.header.get(EventHeaders.type) !== LookupPolicyChangedSchema.typeName) continue;
    expect(message.subject).toBe(`${dir.mesh.prefix}.handles.lookup_policy_changed`);
    events.push(fromBinary(LookupPolicyChangedSchema, message.data));
  }
  return events;
}

let probes = 0;
/**
 * How many lookups (hits) a caller never seen before gets on `target` before one is refused,
 * trying at most `most`: with a hit price of 1, the capacity that instance enforces (up to `most`).
 */
async function admittedOn(target: { url: string }, most: number): Promise<number> {
  probes += 1;
  const client = dir.as(`probe-${probes}`, "user", target);
  for (let i = 0; i < most; i++) {
    try {
      await client.resolveHandle({ handle: "known" });
    } catch (error) {
      if (ConnectError.from(error).code === Code.ResourceExhausted) return i;
      throw error;
    }
  }
  return most;
}

/** Polls until `target` enforces `capacity`, failing if that takes longer than the bound; gives how long it took. */
async function enforcedWithinBound(target: { url: string }, capacity: number): Promise<number> {
  const start = performance.now();
  await expect.poll(() => admittedOn(target, capacity + 1), { timeout: CONVERGENCE_BOUND_MS, interval: 10 }).toBe(capacity);
  return performance.now() - start;
}

describe("GetLookupPolicy and SetLookupPolicy", () => {
  it("give the settings' policy until one is set, then the one set; setting it again changes nothing", async () => {
    expect((await ops().getLookupPolicy({})).policy).toMatchObject(SETTINGS);
    expect((await dir.as("governance", "service", pushOnly).getLookupPolicy({})).policy).toMatchObject(SETTINGS);
    expect(await storedPolicy()).toEqual([]);

    const policy = { capacity: 30n, refillPerMinute: 30n, hitCost: 2n, missCost: 10n };
    expect((await ops().setLookupPolicy({ policy })).policy).toMatchObject(policy);
    expect((await ops().getLookupPolicy({})).policy).toMatchObject(policy);
    const stored = await storedPolicy();
    expect(stored).toEqual([{ capacity: 30, refill_per_minute: 30, hit_cost: 2, miss_cost: 10, revision: 1, updated_by: "ops" }]);

    // Idempotent: the same policy again is answered the same, and stores and publishes nothing.
    expect((await ops().setLookupPolicy({ policy })).policy).toMatchObject(policy);
    expect(await storedPolicy()).toEqual(stored);
  });

  it("refuses plain users, who change nothing", async () => {
    const before = await storedPolicy();
    const user = dir.as("mallory");
    expect((await connectErrorOf(user.getLookupPolicy({}))).code).toBe(Code.PermissionDenied);
    const refused = await connectErrorOf(
      user.setLookupPolicy({ policy: { capacity: 1_000_000n, refillPerMinute: 1_000_000n, hitCost: 1n, missCost: 1n } }),
    );
    expect(refused.code).toBe(Code.PermissionDenied);
    expect(refused.rawMessage).toMatch(/operator or service role/);
    expect(await storedPolicy()).toEqual(before);
    expect((await ops().getLookupPolicy({})).policy).toMatchObject({ capacity: 30n, missCost: 10n });
  });

  it("refuses an unusable policy, naming the fields, and changes nothing", async () => {
    const before = await storedPolicy();
    const cheapMiss = await connectErrorOf(
      ops().setLookupPolicy({ policy: { capacity: 100n, refillPerMinute: 60n, hitCost: 5n, missCost: 1n } }),
    );
    expect(cheapMiss.code).toBe(Code.InvalidArgument);
    expect(cheapMiss.rawMessage).toMatch(/miss_cost \(1\) must not be less than hit_cost \(5\)/);
    const smallBucket = await connectErrorOf(
      ops().setLookupPolicy({ policy: { capacity: 5n, refillPerMinute: 60n, hitCost: 1n, missCost: 20n } }),
    );
    expect(smallBucket.code).toBe(Code.InvalidArgument);
    expect(smallBucket.rawMessage).toMatch(/capacity \(5\) must be at least miss_cost \(20\)/);
    // The fields' own bounds, and a request without a policy.
    for (const policy of [
      { capacity: 0n, refillPerMinute: 60n, hitCost: 1n, missCost: 1n },
      { capacity: 100n, refillPerMinute: 1_000_001n, hitCost: 1n, missCost: 20n },
      { capacity: 100n, refillPerMinute: 60n, hitCost: -1n, missCost: 20n },
      undefined,
    ]) {
      expect((await connectErrorOf(ops().setLookupPolicy({ policy }))).code).toBe(Code.InvalidArgument);
    }
    expect(await storedPolicy()).toEqual(before);
    expect((await ops().getLookupPolicy({})).policy).toMatchObject({ capacity: 30n, refillPerMinute: 30n, hitCost: 2n, missCost: 10n });
  });

  it("lets a service credential set it, as governance does to execute a proposal", async () => {
    const governance = dir.as("governance", "service", pushOnly);
    const policy = { capacity: 50n, refillPerMinute: 10n, hitCost: 1n, missCost: 25n };
    expect((await governance.setLookupPolicy({ policy })).policy).toMatchObject(policy);
    expect((await ops().getLookupPolicy({})).policy).toMatchObject(policy);
    expect(await storedPolicy()).toMatchObject([{ capacity: 50, revision: 2, updated_by: "governance" }]);
  });

  it("publishes LookupPolicyChanged for each change, and nothing for a repeat or a refusal", async () => {
    await expect.poll(policyEvents, { timeout: 10_000, interval: 100 }).toHaveLength(2);
    const events = await policyEvents();
    expect(events.map((e) => [e.revision, e.changedBy, e.policy?.capacity, e.policy?.missCost])).toEqual([
      [1n, "ops", 30n, 10n],
      [2n, "governance", 50n, 25n],
    ]);
  });
});

describe("every instance applies a new policy within a second", () => {
  it("through the event: an instance that re-reads once a minute enforces a capacity lowered elsewhere", async () => {
    expect(await admittedOn(pushOnly, 3)).toBe(3);
    await ops().setLookupPolicy({ policy: { capacity: 2n, refillPerMinute: 1n, hitCost: 1n, missCost: 2n } });
    // The instance that committed it, at once.
    expect(await admittedOn(dir.handles, 3)).toBe(2);
    const took = await enforcedWithinBound(pushOnly, 2);
    expect(took).toBeLessThan(CONVERGENCE_BOUND_MS);
    expect((await dir.as("ops", "operator", pushOnly).getLookupPolicy({})).policy).toMatchObject({ capacity: 2n, missCost: 2n });
  });

  it("through the re-reads: a change whose event never comes still reaches the other instances", async () => {
    // Written behind the service's back: no event, as if every instance had missed it.
    await dir.sql`update lookup_policy set capacity = 4, miss_cost = 4, revision = revision + 1, updated_by = 'sql'`;
    await enforcedWithinBound(dir.handles, 4);
    await enforcedWithinBound(redisless, 4);
    // The instance re-reading once a minute has not seen it: the event was its only way in time.
    expect(await admittedOn(pushOnly, 3)).toBe(2);
    // Asking for the policy reads it, and the instance asked applies what it answers.
    expect((await dir.as("ops", "operator", pushOnly).getLookupPolicy({})).policy).toMatchObject({ capacity: 4n, missCost: 4n });
    expect(await admittedOn(pushOnly, 5)).toBe(4);
  });

  it("with Redis down: the instance meters in process by the new policy", async () => {
    await redis.kill();
    await ops().setLookupPolicy({ policy: { capacity: 3n, refillPerMinute: 1n, hitCost: 1n, missCost: 3n } });
    await enforcedWithinBound(redisless, 3);
    const fallbacks = (await redisless.context.metrics.registry.getMetricsAsJSON()).find(
      (metric) => metric.name === "handles_limiter_redis_errors_total",
    );
    expect(fallbacks?.values[0]?.value).toBeGreaterThan(0);
    // A miss costs the new price there too: 3, the whole bucket.
    const caller = dir.as("redisless-misser", "user", redisless);
    expect((await connectErrorOf(caller.resolveHandle({ handle: "nobody-here" }))).code).toBe(Code.NotFound);
    expect((await connectErrorOf(caller.resolveHandle({ handle: "known" }))).code).toBe(Code.ResourceExhausted);
  });
});
