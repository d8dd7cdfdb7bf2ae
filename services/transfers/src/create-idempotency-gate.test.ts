import { randomUUID } from "node:crypto";
import { createRedisClient, withDeadline } from "@paymesh/runtime";
import { createUnreachableRedis, redisTestPrefix, startRedisServer } from "@paymesh/testkit";
import { Redis } from "ioredis";
import { pino } from "pino";
import { afterAll, expect, it } from "vitest";
import { createIdempotencyGate } from "./create-idempotency-gate.js";

const logger = pino({ level: "silent" });
const keys = redisTestPrefix("transfers");
// The gate names its keys itself (`transfers:idem:…`): the client puts them under this file's prefix.
const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { keyPrefix: keys.prefix });
const dead = createUnreachableRedis();

afterAll(async () => {
  await redis.quit();
  dead.disconnect();
  await keys.cleanup();
});

it("lets the first request with a key lead and makes the others wait, until the leader lets go", async () => {
  const gate = createIdempotencyGate({ redis, namespace: `test_${randomUUID()}`, logger });
  const first = await gate.enter("alice", "k1");
  const second = await gate.enter("alice", "k1");
  expect([first.role, second.role]).toEqual(["leader", "follower"]);
  // Keys are per caller and per namespace.
  expect((await gate.enter("bob", "k1")).role).toBe("leader");
  expect((await createIdempotencyGate({ redis, namespace: `test_${randomUUID()}`, logger }).enter("alice", "k1")).role).toBe("leader");
  if (second.role !== "follower" || first.role !== "leader") throw new Error("unreachable");
  expect(await second.stillHeld()).toBe(true);
  await first.release();
  expect(await second.stillHeld()).toBe(false);
  expect((await gate.enter("alice", "k1")).role).toBe("leader");
});

it("steps aside (bypass) at once when Redis is down or switched off", async () => {
  const started = Date.now();
  expect((await createIdempotencyGate({ redis: dead, namespace: "x", logger }).enter("alice", "k")).role).toBe("bypass");
  expect(Date.now() - started).toBeLessThan(1_000);
  expect((await createIdempotencyGate({ redis: null, namespace: "x", logger }).enter("alice", "k")).role).toBe("bypass");
});

it("steps aside when Redis stops answering, without waiting for it", async () => {
  const server = await startRedisServer();
  // This client would wait a minute: only the gate's own deadline lets a request go on.
  const patient = createRedisClient(server.url, { logger, commandTimeoutMs: 60_000, socketTimeoutMs: 60_000 });
  try {
    await patient.connect();
    const gate = createIdempotencyGate({ redis: patient, namespace: "x", logger });
    const [leader, follower] = [await gate.enter("alice", "k"), await gate.enter("alice", "k")];
    if (leader.role !== "leader" || follower.role !== "follower") throw new Error(`roles: ${leader.role}, ${follower.role}`);
    server.pause();
    // The test's bound: far above the gate's 100 ms deadline, far below the client's minute.
    expect((await withDeadline(gate.enter("alice", "k2"), 1_000, "enter")).role).toBe("bypass");
    expect(await withDeadline(follower.stillHeld(), 1_000, "stillHeld")).toBe(false);
    await withDeadline(leader.release(), 1_000, "release");
  } finally {
    server.resume();
    patient.disconnect();
    await server.stop();
  }
});
