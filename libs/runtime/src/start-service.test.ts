import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { create, toBinary } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { ServerReflection } from "@paymesh/gen/grpc/reflection/v1/reflection_pb";
import { EchoRequestSchema, EchoService } from "@paymesh/gen/paymesh/testing/v1/echo_pb";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as schema from "../../events/test/schema.js";
import { connectErrorOf } from "../../testkit/src/connect-error-of.js";
import { createEchoService } from "../../testkit/src/create-echo-service.js";
import { createTestMesh, type TestMesh } from "../../testkit/src/create-test-mesh.js";
import { type RedisServer, startRedisServer } from "../../testkit/src/start-redis-server.js";
import { mintTestToken } from "../../testkit/src/test-auth.js";
import type { RunningService, ServiceDefinition } from "./start-service.js";

/** A service with the event tables and the echo RPCs, keeping published outbox rows for a minute. */
const bareService: ServiceDefinition<typeof schema> = {
  name: "notifications",
  schema,
  migrationsFolder: fileURLToPath(new URL("../../events/test/migrations", import.meta.url)),
  retention: { outboxMs: 60_000, intervalMs: 50 },
  setup: () => ({ services: [{ service: EchoService, impl: createEchoService() }] }),
};

let mesh: TestMesh;
let running: RunningService<typeof schema>;

beforeAll(async () => {
  mesh = await createTestMesh();
  running = await mesh.start(bareService);
});
afterAll(async () => {
  await mesh?.stop();
});

describe("startService's event retention", () => {
  it("prunes the published outbox rows and processed events a running service no longer needs, and keeps the rest", async () => {
    const { sql } = running.context.database;
    const outboxRow = async (subject: string, createdAgo: string, publishedAgo: string | null) => {
      const id = randomUUID();
      await sql`
        insert into outbox (id, subject, type, payload, created_at, published_at)
        values (${id}, ${subject}, 'google.protobuf.StringValue', '\\x00'::bytea, now() - ${createdAgo}::interval,
                case when ${publishedAgo}::interval is null then null else now() - ${publishedAgo}::interval end)`;
      return id;
    };
    const processedRow = async (ago: string) => {
      const id = randomUUID();
      await sql`insert into processed_events (consumer, event_id, processed_at) values ('projection', ${id}, now() - ${ago}::interval)`;
      return id;
    };
    const published = running.context.subject("published");
    const old = await outboxRow(published, "2 hours", "1 hour");
    const recent = await outboxRow(published, "1 hour", "1 second");
    // No stream captures this subject, so the relay cannot publish it: it waits, however old.
    const waiting = await outboxRow("unrouted.nowhere", "2 days", null);
    const applied = await processedRow("8 days");
    const remembered = await processedRow("1 day");

    await vi.waitFor(
      async () => {
        const [{ n }] = (await sql`select count(*)::int as n from outbox where id = ${old}`) as unknown as [{ n: number }];
        expect(n).toBe(0);
      },
      { timeout: 10_000, interval: 50 },
    );
    await vi.waitFor(
      async () => {
        const [{ n }] = (await sql`select count(*)::int as n from processed_events where event_id = ${applied}`) as unknown as [
          { n: number },
        ];
        expect(n).toBe(0);
      },
      { timeout: 10_000, interval: 50 },
    );
    const outbox = await sql<{ id: string; published: boolean }[]>`select id, published_at is not null as published from outbox`;
    expect(outbox).toHaveLength(2);
    expect(outbox).toEqual(
      expect.arrayContaining([
        { id: recent, published: true },
        { id: waiting, published: false },
      ]),
    );
    expect((await sql<{ event_id: string }[]>`select event_id from processed_events`).map((row) => row.event_id)).toEqual([remembered]);
  });

  it("reports the pruning passes on /metrics", async () => {
    const text = await (await fetch(`${running.url}/metrics`)).text();
    expect(text).toMatch(/^worker_passes_total\{[^}]*worker="event-retention"[^}]*\} [1-9]/m);
    expect(text).toMatch(/^worker_pass_errors_total\{[^}]*worker="event-retention"[^}]*\} 0$/m);
  });
});

describe("startService's input checks", () => {
  /** Echo called over Connect on HTTP/1.1 with a raw body, as curl or a browser would. */
  const post = async (contentType: string, body: Uint8Array | string) => {
    const res = await fetch(`${running.url}/paymesh.testing.v1.EchoService/Echo`, {
      method: "POST",
      headers: { "content-type": contentType, authorization: `Bearer ${await mintTestToken("alice")}` },
      body,
    });
    return { status: res.status, body: (await res.json()) as { code?: string; message?: string } };
  };

  it("refuses a NUL in any request string, over gRPC and Connect JSON, naming the field", async () => {
    const refused = await connectErrorOf(mesh.client(EchoService, running, { subject: "alice" }).echo({ message: "a\u0000b" }));
    expect(refused.code).toBe(Code.InvalidArgument);
    expect(refused.rawMessage).toBe("message: must not contain the character U+0000 (NUL)");
    expect(await post("application/json", JSON.stringify({ message: "\u0000" }))).toEqual({
      status: 400,
      body: { code: "invalid_argument", message: "message: must not contain the character U+0000 (NUL)" },
    });
    expect(await post("application/json", JSON.stringify({ message: "a\u0001b" }))).toMatchObject({ status: 200 });
  });

  it("checks every message of a streamed request, and lets a clean stream through", async () => {
    const reflection = mesh.client(ServerReflection, running);
    const ask = (symbol: string) =>
      reflection.serverReflectionInfo(
        (async function* () {
          yield { messageRequest: { case: "fileContainingSymbol" as const, value: "paymesh.testing.v1.EchoService" } };
          yield { messageRequest: { case: "fileContainingSymbol" as const, value: symbol } };
        })(),
      );
    const answers = [];
    for await (const answer of ask("paymesh.testing.v1.EchoRequest")) answers.push(answer.messageResponse.case);
    expect(answers).toEqual(["fileDescriptorResponse", "fileDescriptorResponse"]);
    const refused = await connectErrorOf(
      (async () => {
        for await (const _ of ask("paymesh\u0000")) {
          // Drained only for the error the stream ends with.
        }
      })(),
    );
    expect(refused.code).toBe(Code.InvalidArgument);
    expect(refused.rawMessage).toBe("file_containing_symbol: must not contain the character U+0000 (NUL)");
  });

  it("refuses a JSON body that is not UTF-8 rather than reading U+FFFD in its place", async () => {
    const bytes = new TextEncoder().encode(JSON.stringify({ message: "caf\u00e9" }));
    bytes[bytes.indexOf(0xc3)] = 0xff;
    expect(await post("application/json", bytes)).toEqual({
      status: 400,
      body: { code: "invalid_argument", message: "the request is not valid UTF-8" },
    });
  });

  it("refuses invalid UTF-8 in a binary request's string (protobuf-es decodes proto3 strings strictly)", async () => {
    const bytes = toBinary(EchoRequestSchema, create(EchoRequestSchema, { message: "caf\u00e9" }));
    bytes[bytes.indexOf(0xc3)] = 0xff;
    const { status, body } = await post("application/proto", bytes);
    // Connect answers every request message it cannot parse as INTERNAL, as gRPC servers do.
    expect({ status, code: body.code }).toEqual({ status: 500, code: "internal" });
    expect(body.message).toMatch(/not valid for encoding utf-8/);
  });
});

describe("startService's readiness", () => {
  let redis: RedisServer;
  let onOwnRedis: RunningService<typeof schema>;
  beforeAll(async () => {
    redis = await startRedisServer();
    onOwnRedis = await mesh.start(bareService, { REDIS_URL: redis.url });
  });
  afterAll(async () => {
    await onOwnRedis?.stop();
    await redis?.stop();
  });

  /** `/readyz` in full; a probe that hangs fails the test (the signal aborts it). */
  const readiness = async () => {
    const response = await fetch(`${onOwnRedis.url}/readyz`, { signal: AbortSignal.timeout(1_500) });
    const body = (await response.json()) as { status: string; checks: Record<string, string> };
    return { code: response.status, ...body };
  };
  const allUp = { code: 200, status: "ready", checks: { postgres: "ok", nats: "ok", redis: "ok" } };

  it("stays ready, as degraded, while Redis is down (every call has a fallback), without hanging", async () => {
    expect(await readiness()).toEqual(allUp);
    await redis.kill();
    await vi.waitFor(
      async () =>
        expect(await readiness()).toEqual({ code: 200, status: "degraded", checks: { postgres: "ok", nats: "ok", redis: "unreachable" } }),
      { timeout: 5_000, interval: 50 },
    );
    await redis.restart();
    await vi.waitFor(async () => expect(await readiness()).toEqual(allUp), { timeout: 5_000, interval: 50 });
  });

  it("starts while Redis is down (an instance rescheduled in an outage must not crash-loop) and uses it once it is up", async () => {
    await redis.kill();
    const started = await mesh.start(bareService, { REDIS_URL: redis.url });
    try {
      const readyz = async () => (await fetch(`${started.url}/readyz`, { signal: AbortSignal.timeout(1_500) })).json();
      expect(await readyz()).toEqual({ status: "degraded", checks: { postgres: "ok", nats: "ok", redis: "unreachable" } });
      await redis.restart();
      await vi.waitFor(async () => expect(await started.context.redis.ping()).toBe("PONG"), { timeout: 5_000, interval: 50 });
      expect(await readyz()).toEqual({ status: "ready", checks: { postgres: "ok", nats: "ok", redis: "ok" } });
    } finally {
      await started.stop();
    }
  });

  it("reports a Redis that stopped answering as unreachable, without hanging", async () => {
    redis.pause();
    try {
      await vi.waitFor(async () => expect((await readiness()).checks.redis).toBe("unreachable"), { timeout: 5_000, interval: 50 });
    } finally {
      redis.resume();
    }
    await vi.waitFor(async () => expect(await readiness()).toEqual(allUp), { timeout: 5_000, interval: 50 });
  });
});
