import { create, fromBinary } from "@bufbuild/protobuf";
import { StringValueSchema } from "@bufbuild/protobuf/wkt";
import { SpanKind } from "@opentelemetry/api";
import { asc, sql as drizzleSql } from "drizzle-orm";
import { connect } from "nats";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestNats, type TestNats } from "../../testkit/src/create-test-nats.js";
import { installTestTracing, type TestTracing } from "../test/install-test-tracing.js";
import { type FixtureDatabase, openFixtureDatabase } from "../test/open-fixture-database.js";
import { readStream } from "../test/read-stream.js";
import { outbox } from "../test/schema.js";
import { startNatsServer } from "../test/start-nats-server.js";
import { appendEvent } from "./append-event.js";
import { appendEvents } from "./append-events.js";
import { createOutboxRelay, type OutboxRelay, type OutboxRelayOptions } from "./create-outbox-relay.js";
import { ensureStream } from "./ensure-stream.js";
import { streamNameFor, streamSubjectFor, subjectFor } from "./event-names.js";

let database: FixtureDatabase;
let nats: TestNats;
let tracing: TestTracing;
const logger = pino({ level: "silent" });
const running: OutboxRelay[] = [];

beforeAll(async () => {
  tracing = installTestTracing();
  [database, nats] = await Promise.all([openFixtureDatabase(), createTestNats()]);
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((relay) => relay.stop()));
  await database.db.delete(outbox);
});
afterAll(async () => {
  await Promise.all([database.drop(), nats.cleanup()]);
  tracing.uninstall();
});

/** A stream of its own for each test, so counts never include another test's events. */
async function freshStream(context: string) {
  const stream = streamNameFor(nats.prefix, context);
  await ensureStream(nats.jsm, { name: stream, subjects: [streamSubjectFor(nats.prefix, context)] });
  return { stream, subject: subjectFor(nats.prefix, context, "greeted") };
}

async function startRelay(options: Partial<OutboxRelayOptions> = {}): Promise<OutboxRelay> {
  const relay = createOutboxRelay({ sql: database.sql, js: nats.js, logger, ...options });
  await relay.start();
  running.push(relay);
  return relay;
}

function append(subject: string, value: string): Promise<string> {
  return database.db.transaction((tx) =>
    appendEvent(tx, { subject, schema: StringValueSchema, message: create(StringValueSchema, { value }) }),
  );
}

describe("createOutboxRelay", () => {
  it("publishes each committed event exactly once with two relays claiming concurrently", async () => {
    const { stream, subject } = await freshStream("pair");
    const ids: string[] = [];
    for (let t = 0; t < 20; t += 1) {
      ids.push(
        ...(await database.db.transaction((tx) =>
          appendEvents(
            tx,
            Array.from({ length: 10 }, (_, i) => ({
              subject,
              schema: StringValueSchema,
              message: create(StringValueSchema, { value: `${t}-${i}` }),
            })),
          ),
        )),
      );
    }
    const [a, b] = await Promise.all([startRelay({ batchSize: 5 }), startRelay({ batchSize: 5 })]);
    await vi.waitFor(async () => expect(await a.pendingCount(), "outbox drained").toBe(0), { timeout: 10_000, interval: 20 });

    const stored = await readStream(nats.jsm, stream);
    expect(stored.map((message) => message.headers["Nats-Msg-Id"])).toHaveLength(200);
    expect(new Set(stored.map((message) => message.headers["Nats-Msg-Id"]))).toEqual(new Set(ids));
    // Claims were disjoint: every publish was a first publish (JetStream flags a repeated
    // Nats-Msg-Id as a duplicate), and the two relays' publishes add up to the events.
    expect(a.stats().duplicates + b.stats().duplicates).toBe(0);
    expect(a.stats().published + b.stats().published).toBe(200);
    // Both really took part, or this test would not be about concurrency.
    expect(a.stats().published).toBeGreaterThan(0);
    expect(b.stats().published).toBeGreaterThan(0);
  });

  it("never publishes an event whose transaction rolled back", async () => {
    const { stream, subject } = await freshStream("rollback");
    await startRelay();
    await expect(
      database.db.transaction(async (tx) => {
        await appendEvent(tx, { subject, schema: StringValueSchema, message: create(StringValueSchema, { value: "doomed" }) });
        throw new Error("insufficient funds");
      }),
    ).rejects.toThrow("insufficient funds");
    const kept = await append(subject, "kept");
    await vi.waitFor(async () => expect(await readStream(nats.jsm, stream), "the committed event on the stream").not.toHaveLength(0), {
      timeout: 5_000,
      interval: 20,
    });
    // Give a stray publish of the rolled-back event every chance to show up.
    await vi.waitFor(
      async () => expect(await database.sql`select 1 from outbox where published_at is null`, "outbox drained").toHaveLength(0),
      { timeout: 5_000, interval: 20 },
    );

    const stored = await readStream(nats.jsm, stream);
    expect(stored.map((message) => message.headers["Nats-Msg-Id"])).toEqual([kept]);
    expect(fromBinary(StringValueSchema, stored[0]!.data).value).toBe("kept");
  });

  it("wakes on the commit's notification, long before its fallback poll", async () => {
    const { stream, subject } = await freshStream("prompt");
    // With a one-minute poll, only LISTEN/NOTIFY can bring the event out within the bound below.
    const relay = await startRelay({ pollIntervalMs: 60_000 });
    await vi.waitFor(async () => expect(await relay.pendingCount(), "relay idle").toBe(0), { timeout: 5_000, interval: 20 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const id = await append(subject, "now");
    await vi.waitFor(async () => expect(await readStream(nats.jsm, stream), "event published promptly").toHaveLength(1), {
      timeout: 3_000,
      interval: 20,
    });
    expect((await readStream(nats.jsm, stream))[0]!.headers["Nats-Msg-Id"]).toBe(id);
  });

  it("still publishes an event whose notification never came, at the fallback poll", async () => {
    const { stream, subject } = await freshStream("missed");
    await startRelay({ pollIntervalMs: 200 });
    // Notified on a channel the relay does not listen to: as if the notification were lost.
    const id = await database.db.transaction((tx) =>
      appendEvent(
        tx,
        { subject, schema: StringValueSchema, message: create(StringValueSchema, { value: "late" }) },
        { channel: "nobody_listens" },
      ),
    );
    await vi.waitFor(async () => expect(await readStream(nats.jsm, stream), "event published by the poll").toHaveLength(1), {
      timeout: 3_000,
      interval: 20,
    });
    expect((await readStream(nats.jsm, stream))[0]!.headers["Nats-Msg-Id"]).toBe(id);
  });

  it("sends the event id as Nats-Msg-Id, the type, and the trace active at append time, through a publish span", async () => {
    const { stream, subject } = await freshStream("headers");
    await startRelay();
    const traced = await tracing.tracer.startActiveSpan("post entry", async (span) => {
      try {
        return { id: await append(subject, "traced"), context: span.spanContext() };
      } finally {
        span.end();
      }
    });
    const untraced = await append(subject, "untraced");
    await vi.waitFor(async () => expect(await readStream(nats.jsm, stream), "both events published").toHaveLength(2), {
      timeout: 5_000,
      interval: 20,
    });

    const [first, second] = await readStream(nats.jsm, stream);
    expect(first!.subject).toBe(subject);
    const publish = tracing.exporter.getFinishedSpans().find((span) => span.name === `publish ${subject}`);
    expect(publish?.kind).toBe(SpanKind.PRODUCER);
    expect(publish?.parentSpanContext?.spanId).toBe(traced.context.spanId);
    expect(publish?.spanContext().traceId).toBe(traced.context.traceId);
    expect(first!.headers).toEqual({
      "Nats-Msg-Id": traced.id,
      "Paymesh-Event-Type": "google.protobuf.StringValue",
      traceparent: `00-${traced.context.traceId}-${publish!.spanContext().spanId}-01`,
    });
    expect(second!.headers).toEqual({ "Nats-Msg-Id": untraced, "Paymesh-Event-Type": "google.protobuf.StringValue" });
  });

  it("keeps events through a NATS outage and publishes each exactly once when it returns", async () => {
    const server = await startNatsServer();
    const nc = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 50 });
    try {
      const jsm = await nc.jetstreamManager();
      const stream = streamNameFor(nats.prefix, "outage");
      await ensureStream(jsm, { name: stream, subjects: [streamSubjectFor(nats.prefix, "outage")] });
      const subject = subjectFor(nats.prefix, "outage", "greeted");
      const relay = await startRelay({
        js: nc.jetstream(),
        publishTimeoutMs: 300,
        initialBackoffMs: 50,
        maxBackoffMs: 300,
        pollIntervalMs: 200,
      });

      const before: string[] = [];
      for (let i = 0; i < 5; i += 1) before.push(await append(subject, `before-${i}`));
      await vi.waitFor(async () => expect(await relay.pendingCount(), "events published before the outage").toBe(0), {
        timeout: 5_000,
        interval: 20,
      });

      await server.kill();
      const during: string[] = [];
      for (let i = 0; i < 5; i += 1) during.push(await append(subject, `during-${i}`));
      // The relay tried, failed, and recorded it on the waiting row.
      await vi.waitFor(
        async () => {
          const [row] = await database.db.select({ attempts: outbox.attempts }).from(outbox).where(drizzleSql`${outbox.id} = ${during[0]}`);
          expect(row!.attempts, "a failed attempt recorded").toBeGreaterThan(0);
        },
        { timeout: 5_000, interval: 20 },
      );
      const [waiting] = await database.db.select().from(outbox).where(drizzleSql`${outbox.id} = ${during[0]}`);
      expect(waiting!.publishedAt).toBeNull();
      expect(waiting!.lastError).not.toBeNull();
      expect(await relay.pendingCount()).toBe(5);

      await server.restart();
      await vi.waitFor(async () => expect(await relay.pendingCount(), "events published after the outage").toBe(0), {
        timeout: 15_000,
        interval: 20,
      });

      const stored = await readStream(jsm, stream);
      expect(stored.map((message) => message.headers["Nats-Msg-Id"])).toEqual([...before, ...during]);
      expect(relay.stats().failures).toBeGreaterThan(0);
    } finally {
      await nc.close();
      await server.dispose();
    }
  });

  it("reports the rows waiting, and stop() lets the batch in flight finish", async () => {
    const { subject } = await freshStream("stop");
    for (let i = 0; i < 30; i += 1) await append(subject, `${i}`);
    const relay = createOutboxRelay({ sql: database.sql, js: nats.js, logger, batchSize: 10 });
    expect(await relay.pendingCount()).toBe(30);
    await relay.start();
    await relay.stop();
    const rows = await database.db.select({ publishedAt: outbox.publishedAt }).from(outbox).orderBy(asc(outbox.id));
    const published = rows.filter((row) => row.publishedAt !== null).length;
    // Whole batches only: stop() never abandons a batch between publish and commit.
    expect(published % 10).toBe(0);
    expect(await relay.pendingCount()).toBe(30 - published);
    expect(relay.stats().published).toBe(published);
  });
});
