import { type RedisServer, startRedisServer } from "@paymesh/testkit";
import type { Redis } from "ioredis";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createRedisClient } from "./create-redis-client.js";

const logger = pino({ level: "silent" });
let server: RedisServer;
const clients: Redis[] = [];

beforeAll(async () => {
  server = await startRedisServer();
});

afterEach(async () => {
  // Each test leaves the server running, whatever it did to it.
  await server.restart();
});

afterAll(async () => {
  for (const client of clients) client.disconnect();
  await server?.stop();
});

async function connected(options: Partial<Parameters<typeof createRedisClient>[1]> = {}): Promise<Redis> {
  const client = createRedisClient(server.url, { logger, ...options });
  clients.push(client);
  await client.connect();
  expect(await client.ping()).toBe("PONG");
  return client;
}

describe("createRedisClient", () => {
  it("refuses commands while Redis is down instead of queueing them, and reconnects by itself", async () => {
    const client = await connected();
    await server.kill();
    await vi.waitFor(() => expect(client.status).not.toBe("ready"));
    // Refused before anything is sent: nothing waits for a reconnection.
    await expect(client.get("k")).rejects.toThrow(/enableOfflineQueue options is false/);
    await server.restart();
    await vi.waitFor(async () => expect(await client.ping()).toBe("PONG"), { timeout: 5_000, interval: 50 });
  });

  it("fails a command in flight when its connection drops, rather than sending it again after reconnecting", async () => {
    const client = await connected({ commandTimeoutMs: 60_000, socketTimeoutMs: 60_000 });
    server.pause();
    const inFlight = expect(client.incr("counter")).rejects.toThrow(/max retries per request/i);
    await server.kill();
    await inFlight;
    await server.restart();
    await vi.waitFor(async () => expect(await client.ping()).toBe("PONG"), { timeout: 5_000, interval: 50 });
    // Not resent: a resent INCR would have run on the new server.
    expect(await client.get("counter")).toBeNull();
  });

  it("gives up on a silent server: the command times out and the connection is dropped, so later commands fail at once", async () => {
    const client = await connected({ commandTimeoutMs: 100, socketTimeoutMs: 300 });
    server.pause();
    await expect(client.get("k")).rejects.toThrow("Command timed out");
    await vi.waitFor(() => expect(client.status).not.toBe("ready"), { timeout: 5_000, interval: 20 });
    await expect(client.get("k")).rejects.toThrow(/enableOfflineQueue options is false/);
    server.resume();
    await vi.waitFor(async () => expect(await client.ping()).toBe("PONG"), { timeout: 5_000, interval: 50 });
  });
});
