import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { declareConsumer, streamNameFor, streamSubjectFor } from "@paymesh/events";
import { EchoService } from "@paymesh/gen/paymesh/testing/v1/echo_pb";
import { Registry } from "prom-client";
import { afterAll, beforeAll, expect, it } from "vitest";
import * as schema from "../../events/test/schema.js";
import { createEchoService } from "../../testkit/src/create-echo-service.js";
import { createTestMesh, type TestMesh } from "../../testkit/src/create-test-mesh.js";
import { createEventHealthReader } from "./create-event-health-reader.js";
import { registerEventMetrics } from "./register-event-metrics.js";
import type { RunningService, ServiceDefinition } from "./start-service.js";

const bareService: ServiceDefinition<typeof schema> = {
  name: "notifications",
  schema,
  migrationsFolder: fileURLToPath(new URL("../../events/test/migrations", import.meta.url)),
  setup: () => ({ services: [{ service: EchoService, impl: createEchoService() }] }),
};

let mesh: TestMesh;
let running: RunningService<typeof schema>;
beforeAll(async () => {
  mesh = await createTestMesh();
  running = await mesh.start(bareService);
});
afterAll(() => mesh?.stop());

it("reports the oldest unpublished event's age, parked events by consumer and each projection's lag", async () => {
  const { sql } = running.context.database;
  const { jsm, nats, config } = running.context;
  // A stream and a durable consumer of its own, three messages behind.
  const stream = streamNameFor(config.subjectPrefix, "metrics");
  await jsm.streams.add({ name: stream, subjects: [streamSubjectFor(config.subjectPrefix, "metrics")] });
  const durable = `lagging-${randomUUID().slice(0, 8)}`;
  await declareConsumer(jsm, { stream, durable, filterSubjects: [], ackWaitMs: 30_000, maxAckPending: 100 });
  const js = nats.jetstream();
  for (let i = 0; i < 3; i++) await js.publish(`${config.subjectPrefix}.metrics.ticked`, new Uint8Array([i]));

  const registry = new Registry();
  registerEventMetrics({
    registry,
    reader: createEventHealthReader({
      sql,
      jsm,
      consumers: () => [
        { stream, durable },
        { stream, durable: "never-declared" },
      ],
    }),
  });
  expect(await registry.metrics()).toMatch(/^outbox_oldest_pending_age_seconds 0$/m);

  // No stream captures this subject: the row waits, an hour old.
  await sql`
    insert into outbox (id, subject, type, payload, created_at)
    values (${randomUUID()}, 'unrouted.nowhere', 'google.protobuf.StringValue', '\\x00'::bytea, now() - interval '1 hour')`;
  for (const consumer of ["statements", "statements", "history"]) {
    await sql`
      insert into parked_events (id, consumer, event_id, stream, stream_sequence, subject, payload, error, deliveries)
      values (${randomUUID()}, ${consumer}, ${randomUUID()}, ${stream}, 1, 'x', '\\x00'::bytea, 'boom', 5)`;
  }
  const text = await registry.metrics();
  const age = Number(/^outbox_oldest_pending_age_seconds (\S+)$/m.exec(text)?.[1]);
  expect(age).toBeGreaterThanOrEqual(3_600);
  expect(age).toBeLessThan(3_700);
  expect(text).toMatch(/^events_parked\{consumer="statements"\} 2$/m);
  expect(text).toMatch(/^events_parked\{consumer="history"\} 1$/m);
  expect(text).toMatch(new RegExp(`^consumer_pending_messages\\{durable="${durable}"\\} 3$`, "m"));
  expect(text).toMatch(new RegExp(`^consumer_ack_pending_messages\\{durable="${durable}"\\} 0$`, "m"));
  // A consumer JetStream does not know has no sample, rather than a made-up zero.
  expect(text).not.toMatch(/durable="never-declared"/);
});
