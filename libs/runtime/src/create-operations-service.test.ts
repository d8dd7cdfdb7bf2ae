import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { create } from "@bufbuild/protobuf";
import { durationMs, StringValueSchema } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { appendEvent, type ConsumerRunner } from "@paymesh/events";
import { Health, HealthCheckResponse_ServingStatus } from "@paymesh/gen/grpc/health/v1/health_pb";
import { ServerReflection } from "@paymesh/gen/grpc/reflection/v1/reflection_pb";
import { OperationsService, type ParkedEvent } from "@paymesh/gen/paymesh/operations/v1/operations_pb";
import { EchoService } from "@paymesh/gen/paymesh/testing/v1/echo_pb";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as schema from "../../events/test/schema.js";
import { connectErrorOf } from "../../testkit/src/connect-error-of.js";
import { createEchoService } from "../../testkit/src/create-echo-service.js";
import { createTestMesh, type TestMesh } from "../../testkit/src/create-test-mesh.js";
import { mintTestToken } from "../../testkit/src/test-auth.js";
import type { RunningService, ServiceDefinition } from "./start-service.js";

const FAILING = "failing-projection";
const UNDECLARED = "never-started";
const CONSOLE_ORIGIN = "http://console.test";

/**
 * A service with the echo RPCs and two projections of its own stream: one that fails every event
 * (parking it at the first failure), and one it never starts, so JetStream does not know it.
 */
const eventfulService: ServiceDefinition<typeof schema> = {
  name: "notifications",
  schema,
  migrationsFolder: fileURLToPath(new URL("../../events/test/migrations", import.meta.url)),
  setup(ctx) {
    const failing = ctx.projection({
      context: "notifications",
      durable: FAILING,
      maxDeliver: 1,
      handler: () => Promise.reject(new Error("the projection cannot apply this event")),
    });
    ctx.projection({ context: "notifications", durable: UNDECLARED, handler: () => Promise.resolve() });
    const workers: ConsumerRunner[] = [failing];
    return { services: [{ service: EchoService, impl: createEchoService() }], workers };
  },
};

let mesh: TestMesh;
let running: RunningService<typeof schema>;
beforeAll(async () => {
  mesh = await createTestMesh();
  running = await mesh.start(eventfulService, { CORS_ORIGINS: CONSOLE_ORIGIN });
});
afterAll(() => mesh?.stop());

const operator = () => mesh.client(OperationsService, running, { subject: "ops", role: "operator" });

/** A parked event written directly, as a consumer would have. */
const parkRow = async (consumer: string) => {
  const id = randomUUID();
  await running.context.database.sql`
    insert into parked_events (id, consumer, event_id, stream, stream_sequence, subject, type, payload, error, deliveries)
    values (${id}, ${consumer}, ${randomUUID()}, 'S', 7, 'x.y', 't', '\\x0102'::bytea, 'boom', 5)`;
  return id;
};

describe("GetEventHealth", () => {
  it("shows an operator a real parked event, a waiting outbox row and each consumer's lag or why it is unknown", async () => {
    const { database, subject } = running.context;
    const eventId = await database.db.transaction((tx) =>
      appendEvent(tx, { subject: subject("pinged"), schema: StringValueSchema, message: create(StringValueSchema, { value: "hi" }) }),
    );
    await vi.waitFor(
      async () => {
        const rows = await database.sql`select 1 from parked_events where event_id = ${eventId}`;
        expect(rows, "the failing projection parked the event").toHaveLength(1);
      },
      { timeout: 10_000, interval: 50 },
    );
    // No stream captures this subject: the row waits, an hour old.
    await database.sql`
      insert into outbox (id, subject, type, payload, created_at)
      values (${randomUUID()}, 'unrouted.nowhere', 'google.protobuf.StringValue', '\\x00'::bytea, now() - interval '1 hour')`;

    const health = await operator().getEventHealth({});
    expect(health.service).toBe("notifications");
    expect(health.outbox?.pendingEvents).toBe(1n);
    const age = durationMs(health.outbox!.oldestPendingAge!);
    expect(age).toBeGreaterThanOrEqual(3_600_000);
    expect(age).toBeLessThan(3_700_000);
    expect(health.parked.map(({ consumer, parkedEvents }) => ({ consumer, parkedEvents }))).toEqual([
      { consumer: FAILING, parkedEvents: 1n },
    ]);
    const [failing, undeclared] = health.consumers;
    expect(failing).toMatchObject({ durable: FAILING, lag: { numPending: 0n }, lagUnknownReason: "" });
    expect(failing?.stream).toMatch(/_NOTIFICATIONS$/);
    expect(undeclared?.durable).toBe(UNDECLARED);
    expect(undeclared?.lag).toBeUndefined();
    expect(undeclared?.lagUnknownReason).toMatch(/not found/i);
    expect(health.readTime).toBeDefined();

    const parked = await operator().listParkedEvents({ consumer: FAILING });
    expect(parked.parkedEvents).toHaveLength(1);
    expect(parked.parkedEvents[0]).toMatchObject({
      consumer: FAILING,
      eventId,
      subject: subject("pinged"),
      type: "google.protobuf.StringValue",
      error: expect.stringContaining("the projection cannot apply this event"),
      deliveries: 1,
      payloadSize: 4,
    });
  });

  it("refuses every role but operator", async () => {
    for (const role of ["user", "service"] as const) {
      const refused = await connectErrorOf(mesh.client(OperationsService, running, { subject: "mallory", role }).getEventHealth({}));
      expect(refused.code).toBe(Code.PermissionDenied);
      const listing = await connectErrorOf(mesh.client(OperationsService, running, { subject: "mallory", role }).listParkedEvents({}));
      expect(listing.code).toBe(Code.PermissionDenied);
    }
    expect((await connectErrorOf(mesh.client(OperationsService, running).getEventHealth({}))).code).toBe(Code.Unauthenticated);
  });

  it("answers a browser from an allowed origin over Connect JSON, as the console calls it", async () => {
    const url = `${running.url}/paymesh.operations.v1.OperationsService/GetEventHealth`;
    const preflight = await fetch(url, {
      method: "OPTIONS",
      headers: { origin: CONSOLE_ORIGIN, "access-control-request-method": "POST", "access-control-request-headers": "authorization" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(CONSOLE_ORIGIN);
    const response = await fetch(url, {
      method: "POST",
      headers: {
        origin: CONSOLE_ORIGIN,
        "content-type": "application/json",
        authorization: `Bearer ${await mintTestToken("ops", "operator")}`,
      },
      body: "{}",
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe(CONSOLE_ORIGIN);
    expect(await response.json()).toMatchObject({ service: "notifications", outbox: { pendingEvents: expect.any(String) } });
  });
});

describe("ListParkedEvents", () => {
  it("pages through every parked event newest first, by consumer or all, with tokens bound to the query", async () => {
    const consumer = `paging-${randomUUID().slice(0, 8)}`;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await parkRow(consumer));
    const walk = async (request: { consumer: string; pageSize: number }) => {
      const seen: ParkedEvent[] = [];
      let pageToken = "";
      let pages = 0;
      do {
        const page = await operator().listParkedEvents({ ...request, pageToken });
        expect(page.parkedEvents.length).toBeLessThanOrEqual(request.pageSize);
        seen.push(...page.parkedEvents);
        pageToken = page.nextPageToken;
        pages++;
      } while (pageToken !== "");
      return { seen, pages };
    };
    const mine = await walk({ consumer, pageSize: 2 });
    expect(mine.pages).toBe(3);
    expect(mine.seen.map((event) => event.id)).toEqual([...ids].sort().reverse());
    expect(mine.seen[0]).toMatchObject({ consumer, stream: "S", streamSequence: 7n, deliveries: 5, error: "boom", payloadSize: 2 });

    const all = await walk({ consumer: "", pageSize: 3 });
    const everyRow = await running.context.database.sql<{ id: string }[]>`select id from parked_events order by id desc`;
    expect(all.seen.map((event) => event.id)).toEqual(everyRow.map((row) => row.id));
    expect(all.seen.map((event) => event.id)).toEqual(expect.arrayContaining(ids));

    const first = await operator().listParkedEvents({ consumer, pageSize: 2 });
    const elsewhere = await connectErrorOf(operator().listParkedEvents({ consumer: "", pageSize: 2, pageToken: first.nextPageToken }));
    expect(elsewhere.code).toBe(Code.InvalidArgument);
    expect((await connectErrorOf(operator().listParkedEvents({ pageSize: 501 }))).code).toBe(Code.InvalidArgument);
  });
});

describe("the operations service beside the service's own", () => {
  it("is listed by reflection and described with its file, and has a health status", async () => {
    const reflection = mesh.client(ServerReflection, running);
    const answers = [];
    for await (const answer of reflection.serverReflectionInfo(
      (async function* () {
        yield { messageRequest: { case: "listServices" as const, value: "" } };
        yield {
          messageRequest: { case: "fileContainingSymbol" as const, value: "paymesh.operations.v1.OperationsService.ListParkedEvents" },
        };
      })(),
    )) {
      answers.push(answer.messageResponse);
    }
    const [list, file] = answers;
    expect(list?.case === "listServicesResponse" ? list.value.service.map((service) => service.name) : []).toEqual(
      expect.arrayContaining(["paymesh.testing.v1.EchoService", "paymesh.operations.v1.OperationsService", "grpc.health.v1.Health"]),
    );
    expect(file?.case).toBe("fileDescriptorResponse");
    const health = await mesh.client(Health, running).check({ service: "paymesh.operations.v1.OperationsService" });
    expect(health.status).toBe(HealthCheckResponse_ServingStatus.SERVING);
  });
});
