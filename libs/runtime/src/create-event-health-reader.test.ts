import type { JetStreamManager } from "nats";
import type { Sql } from "postgres";
import { expect, it } from "vitest";
import { createEventHealthReader } from "./create-event-health-reader.js";

it("reports a consumer JetStream does not describe within the deadline as unknown, and still answers for the others", async () => {
  const silent = new Promise<never>(() => {});
  const jsm = {
    consumers: {
      info: (_stream: string, durable: string) => (durable === "stuck" ? silent : Promise.resolve({ num_pending: 4, num_ack_pending: 2 })),
    },
  } as unknown as JetStreamManager;
  const reader = createEventHealthReader({
    // Only JetStream is asked here.
    sql: undefined as unknown as Sql,
    jsm,
    consumers: () => [
      { stream: "S", durable: "stuck" },
      { stream: "S", durable: "fine" },
    ],
    natsTimeoutMs: 20,
  });
  expect(await reader.consumers()).toEqual([
    { stream: "S", durable: "stuck", known: false, reason: "JetStream consumer info did not answer within 20 ms" },
    { stream: "S", durable: "fine", known: true, pending: 4, ackPending: 2 },
  ]);
});
