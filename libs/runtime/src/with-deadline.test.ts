import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { withDeadline } from "./with-deadline.js";

const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");

afterAll(() => {
  redis.disconnect();
});

describe("withDeadline", () => {
  it("passes on what the call settles with in time", async () => {
    await expect(withDeadline(Promise.resolve(42), 1_000, "the answer")).resolves.toBe(42);
    await expect(withDeadline(Promise.reject(new Error("refused")), 1_000, "the answer")).rejects.toThrow("refused");
  });

  it("gives up on a call that does not settle, naming it", async () => {
    await expect(withDeadline(new Promise(() => {}), 5, "redis GET")).rejects.toThrow("redis GET did not answer within 5 ms");
  });

  it("counts an answer that arrived while this process was too busy to read it", async () => {
    expect(await redis.ping()).toBe("PONG");
    const answer = withDeadline(redis.ping(), 5, "redis PING");
    // Redis (another process) answers at once; this event loop only looks again well past the deadline.
    const busyUntil = performance.now() + 100;
    while (performance.now() < busyUntil);
    await expect(answer).resolves.toBe("PONG");
  });
});
