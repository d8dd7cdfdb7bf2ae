import { create, toBinary } from "@bufbuild/protobuf";
import { StringValueSchema } from "@bufbuild/protobuf/wkt";
import { SpanKind, trace } from "@opentelemetry/api";
import { sql as drizzleSql, eq } from "drizzle-orm";
import { headers as natsHeaders } from "nats";
import { pino } from "pino";
import { v7 as uuidv7 } from "uuid";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestNats, type TestNats } from "../../testkit/src/create-test-nats.js";
import { installTestTracing, type TestTracing } from "../test/install-test-tracing.js";
import { type FixtureDatabase, openFixtureDatabase } from "../test/open-fixture-database.js";
import { readStream } from "../test/read-stream.js";
import { outbox, parkedEvents, processedEvents, tallies } from "../test/schema.js";
import { appendEvent } from "./append-event.js";
import { type ConsumerRunner, type ConsumerRunnerOptions, createConsumerRunner } from "./create-consumer-runner.js";
import { createOutboxRelay } from "./create-outbox-relay.js";
import { decodeEvent } from "./decode-event.js";
import { ensureStream } from "./ensure-stream.js";
import { streamNameFor, streamSubjectFor, subjectFor } from "./event-names.js";

type Db = FixtureDatabase["db"];

let database: FixtureDatabase;
let nats: TestNats;
let tracing: TestTracing;
const silent = pino({ level: "silent" });
const running: ConsumerRunner[] = [];

beforeAll(async () => {
  tracing = installTestTracing();
  [database, nats] = await Promise.all([openFixtureDatabase(), createTestNats()]);
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((runner) => runner.stop()));
  await database.db.delete(tallies);
});
afterAll(async () => {
  await Promise.all([database.drop(), nats.cleanup()]);
  tracing.uninstall();
});

/** A stream and durable of its own for each test. */
async function freshStream(context: string, duplicateWindowMs?: number) {
  const stream = streamNameFor(nats.prefix, context);
  await ensureStream(nats.jsm, { name: stream, subjects: [streamSubjectFor(nats.prefix, context)], duplicateWindowMs });
  return { stream, durable: `${context}-projection`, subject: subjectFor(nats.prefix, context, "tallied") };
}

/** Publishes an event the way the relay does, straight to the stream. */
function publish(subject: string, value: string, id: string = uuidv7()) {
  const headers = natsHeaders();
  headers.set("Paymesh-Event-Type", StringValueSchema.typeName);
  return nats.js.publish(subject, toBinary(StringValueSchema, create(StringValueSchema, { value })), { msgID: id, headers });
}

/**
 * The projection under test: counts each application of a key in `tallies`. It writes before
 * it fails, so a failure's effect would show if it were not rolled back. Every call is recorded.
 */
function tallyHandler(calls: string[]): ConsumerRunnerOptions<Db>["handler"] {
  return async (event, tx) => {
    const { value } = decodeEvent(event, StringValueSchema);
    calls.push(value);
    await tx
      .insert(tallies)
      .values({ key: value, applied: 1 })
      .onConflictDoUpdate({ target: tallies.key, set: { applied: drizzleSql`${tallies.applied} + 1` } });
    if (value.startsWith("poison")) throw new Error(`cannot apply ${value}`);
    if (value.startsWith("flaky") && event.deliveries === 1) throw new Error("transient failure");
  };
}

async function startRunner(
  options: Partial<ConsumerRunnerOptions<Db>> & Pick<ConsumerRunnerOptions<Db>, "stream" | "durable" | "handler">,
) {
  const runner = createConsumerRunner({ js: nats.js, db: database.db, logger: silent, backoffMs: [100], ackWaitMs: 5_000, ...options });
  await runner.start();
  running.push(runner);
  return runner;
}

async function settled(stream: string, durable: string): Promise<boolean> {
  const info = await nats.jsm.consumers.info(stream, durable);
  return info.num_pending === 0 && info.num_ack_pending === 0;
}

async function tally(key: string): Promise<number | undefined> {
  const [row] = await database.db.select().from(tallies).where(eq(tallies.key, key));
  return row?.applied;
}

describe("createConsumerRunner", () => {
  it("applies an event delivered twice only once", async () => {
    // A duplicate window this short lets the same event id be stored twice, as when a relay
    // retries after the window has passed.
    const { stream, durable, subject } = await freshStream("twice", 100);
    const id = uuidv7();
    await publish(subject, "dup", id);
    await vi.waitFor(
      async () => expect((await publish(subject, "dup", id)).duplicate, "the stream to accept the same event id again").toBe(false),
      { timeout: 5_000, interval: 20 },
    );
    expect(await readStream(nats.jsm, stream)).toHaveLength(2);

    const calls: string[] = [];
    await startRunner({ stream, durable, handler: tallyHandler(calls) });
    await vi.waitFor(async () => expect(await settled(stream, durable), "both copies acknowledged").toBe(true), {
      timeout: 5_000,
      interval: 20,
    });

    expect(await tally("dup")).toBe(1);
    expect(calls).toEqual(["dup"]);
    const processed = await database.db.select().from(processedEvents).where(eq(processedEvents.eventId, id));
    expect(processed.map((row) => row.consumer)).toEqual([durable]);
  });

  it("rolls a failed attempt's writes back with it, and applies the redelivery once", async () => {
    const { stream, durable, subject } = await freshStream("flaky");
    const calls: string[] = [];
    await startRunner({ stream, durable, handler: tallyHandler(calls) });
    await publish(subject, "flaky-1");
    await vi.waitFor(async () => expect(await settled(stream, durable), "the event acknowledged").toBe(true), {
      timeout: 5_000,
      interval: 20,
    });

    expect(calls).toEqual(["flaky-1", "flaky-1"]);
    expect(await tally("flaky-1")).toBe(1);
  });

  it("runs the handler in the transaction that records the event as processed", async () => {
    const { stream, durable, subject } = await freshStream("atomic");
    const seen: { inside: number; outside: number }[] = [];
    await startRunner({
      stream,
      durable,
      handler: async (event, tx) => {
        const recorded = drizzleSql`${processedEvents.consumer} = ${durable} and ${processedEvents.eventId} = ${event.id}`;
        // Visible through the handler's transaction, not yet to anyone else: one uncommitted unit.
        const inside = await tx.select().from(processedEvents).where(recorded);
        const outside = await database.db.select().from(processedEvents).where(recorded);
        seen.push({ inside: inside.length, outside: outside.length });
      },
    });
    await publish(subject, "atomic");
    await vi.waitFor(async () => expect(await settled(stream, durable), "the event acknowledged").toBe(true), {
      timeout: 5_000,
      interval: 20,
    });
    expect(seen).toEqual([{ inside: 1, outside: 0 }]);
  });

  it("holds an event while the database is unavailable, counting no delivery and parking nothing", async () => {
    const { stream, durable, subject } = await freshStream("outage");
    const deliveries: number[] = [];
    // More failures than maxDeliver allows: as a failing handler they would park the event.
    let outageLeft = 3;
    await startRunner({
      stream,
      durable,
      maxDeliver: 2,
      handler: async (event) => {
        deliveries.push(event.deliveries);
        if (outageLeft-- > 0) throw Object.assign(new Error("write CONNECTION_CLOSED 127.0.0.1:5432"), { code: "CONNECTION_CLOSED" });
      },
    });
    await publish(subject, "during-outage");
    await vi.waitFor(async () => expect(await settled(stream, durable), "the event acknowledged").toBe(true), {
      timeout: 5_000,
      interval: 20,
    });
    expect(deliveries).toEqual([1, 1, 1, 1]);
    expect(await database.db.select().from(parkedEvents).where(eq(parkedEvents.consumer, durable))).toEqual([]);
  });

  it("parks a message that keeps failing after maxDeliver attempts, without holding up the ones behind it", async () => {
    const { stream, durable, subject } = await freshStream("poison");
    const logLines: string[] = [];
    const logger = pino({ level: "error" }, { write: (line: string) => void logLines.push(line) });
    const calls: string[] = [];
    const poisonId = uuidv7();
    await publish(subject, "poison-1", poisonId);
    await publish(subject, "good-a");
    await publish(subject, "good-b");
    await startRunner({ stream, durable, handler: tallyHandler(calls), maxDeliver: 3, backoffMs: [150], logger });
    await vi.waitFor(async () => expect(await database.db.select().from(parkedEvents), "the poison message parked").not.toHaveLength(0), {
      timeout: 5_000,
      interval: 20,
    });
    await vi.waitFor(async () => expect(await settled(stream, durable), "every message answered").toBe(true), {
      timeout: 5_000,
      interval: 20,
    });

    const [parked] = await database.db.select().from(parkedEvents).where(eq(parkedEvents.consumer, durable));
    expect(parked).toMatchObject({
      eventId: poisonId,
      stream,
      streamSequence: 1,
      subject,
      type: "google.protobuf.StringValue",
      deliveries: 3,
      error: "Error: cannot apply poison-1",
    });
    expect(decodeEvent({ ...parked!, id: poisonId, type: parked!.type!, headers: {}, deliveries: 3 }, StringValueSchema).value).toBe(
      "poison-1",
    );
    expect(calls.filter((value) => value === "poison-1")).toHaveLength(3);
    expect(await tally("poison-1")).toBeUndefined();
    expect(await tally("good-a")).toBe(1);
    expect(await tally("good-b")).toBe(1);
    // The messages behind it were applied while it waited for its second delivery.
    const secondPoison = calls.indexOf("poison-1", calls.indexOf("poison-1") + 1);
    expect(calls.indexOf("good-b")).toBeLessThan(secondPoison);

    const errors = logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(errors).toContainEqual(
      expect.objectContaining({
        level: 50,
        msg: "event parked",
        eventId: poisonId,
        type: "google.protobuf.StringValue",
        subject,
        error: "Error: cannot apply poison-1",
      }),
    );
  });

  it("acknowledges, not parks, an event redelivered past maxDeliver that a slow delivery did apply", async () => {
    const { stream, durable, subject } = await freshStream("slow");
    const calls: string[] = [];
    const inner = tallyHandler(calls);
    // The first delivery outlives the ack wait, so the server redelivers while it still runs;
    // that redelivery exceeds maxDeliver, yet the event was applied and must not be parked.
    await startRunner({
      stream,
      durable,
      maxDeliver: 1,
      ackWaitMs: 300,
      handler: async (event, tx) => {
        if (event.deliveries === 1) await new Promise((resolve) => setTimeout(resolve, 700));
        await inner(event, tx);
      },
    });
    await publish(subject, "slow");
    await vi.waitFor(
      async () => expect((await nats.jsm.consumers.info(stream, durable)).num_redelivered, "a redelivery").toBeGreaterThan(0),
      { timeout: 5_000, interval: 20 },
    );
    await vi.waitFor(async () => expect(await settled(stream, durable), "the event acknowledged").toBe(true), {
      timeout: 5_000,
      interval: 20,
    });

    expect(await tally("slow")).toBe(1);
    expect(calls).toEqual(["slow"]);
    expect(await database.db.select().from(parkedEvents).where(eq(parkedEvents.consumer, durable))).toEqual([]);
  });

  it("parks a message that is not an event at once, without calling the handler", async () => {
    const { stream, durable, subject } = await freshStream("malformed");
    const calls: string[] = [];
    await nats.js.publish(subject, new Uint8Array([1, 2, 3]));
    await startRunner({ stream, durable, handler: tallyHandler(calls) });
    await vi.waitFor(async () => expect(await settled(stream, durable), "the message answered").toBe(true), {
      timeout: 5_000,
      interval: 20,
    });

    const parked = await database.db.select().from(parkedEvents).where(eq(parkedEvents.consumer, durable));
    expect(parked).toHaveLength(1);
    expect(parked[0]).toMatchObject({ eventId: null, deliveries: 1, error: expect.stringMatching(/no event id/) });
    expect(calls).toEqual([]);
  });

  it("lets several instances share one durable consumer, each event applied once", async () => {
    const { stream, durable, subject } = await freshStream("shared");
    const first: string[] = [];
    const second: string[] = [];
    await Promise.all([
      startRunner({ stream, durable, handler: tallyHandler(first), batchSize: 4 }),
      startRunner({ stream, durable, handler: tallyHandler(second), batchSize: 4 }),
    ]);
    const keys = Array.from({ length: 40 }, (_, i) => `key-${i}`);
    for (const key of keys) await publish(subject, key);
    await vi.waitFor(async () => expect(await database.db.select().from(tallies), "all events applied").toHaveLength(40), {
      timeout: 10_000,
      interval: 20,
    });
    await vi.waitFor(async () => expect(await settled(stream, durable), "all events acknowledged").toBe(true), {
      timeout: 5_000,
      interval: 20,
    });

    expect([...first, ...second].sort()).toEqual([...keys].sort());
    const rows = await database.db.select().from(tallies);
    expect(rows.every((row) => row.applied === 1)).toBe(true);
    expect(first.length).toBeGreaterThan(0);
    expect(second.length).toBeGreaterThan(0);
  });

  it("hands events that arrive together to groupHandler in stream order, each once; a failing group goes to handler one by one", async () => {
    const { stream, durable, subject } = await freshStream("grouped");
    const keys = Array.from({ length: 30 }, (_, i) => (i === 17 ? "flaky-17" : `group-${i}`));
    for (const key of keys) await publish(subject, key);
    const single: string[] = [];
    const grouped: string[][] = [];
    const handler = tallyHandler(single);
    const inGroups: string[] = [];
    const perEvent = tallyHandler(inGroups);
    await startRunner({
      stream,
      durable,
      handler,
      groupHandler: async (events, tx) => {
        grouped.push(events.map((event) => decodeEvent(event, StringValueSchema).value));
        for (const event of events) await perEvent(event, tx);
      },
    });
    await vi.waitFor(async () => expect(await settled(stream, durable), "all events acknowledged").toBe(true), {
      timeout: 10_000,
      interval: 20,
    });

    const rows = await database.db.select().from(tallies);
    expect(rows.map((row) => row.key).sort()).toEqual([...keys].sort());
    expect(rows.every((row) => row.applied === 1)).toBe(true);
    expect(
      grouped.some((group) => group.length > 1),
      "several events in one group",
    ).toBe(true);
    // Groups keep stream order; the one holding flaky-17 failed and went to handler one by one.
    for (const group of grouped) expect(group).toEqual(keys.filter((key) => group.includes(key)));
    expect(grouped.some((group) => group.includes("flaky-17"))).toBe(true);
    expect(single).toContain("flaky-17");
  });

  it("stop() waits for the event being handled and commits it", async () => {
    const { stream, durable, subject } = await freshStream("stopping");
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered = false;
    const calls: string[] = [];
    const inner = tallyHandler(calls);
    const runner = createConsumerRunner({
      js: nats.js,
      db: database.db,
      stream,
      durable,
      logger: silent,
      handler: async (event, tx) => {
        entered = true;
        await gate;
        await inner(event, tx);
      },
    });
    await runner.start();
    await publish(subject, "slow");
    await vi.waitFor(() => expect(entered, "the handler to start").toBe(true), { timeout: 5_000, interval: 20 });
    let stopped = false;
    const stopping = runner.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(stopped).toBe(false);
    release();
    await stopping;

    expect(await tally("slow")).toBe(1);
    await nats.nc.flush();
    await vi.waitFor(async () => expect(await settled(stream, durable), "the event acknowledged").toBe(true), {
      timeout: 5_000,
      interval: 20,
    });
  });

  it("end to end: outbox, relay, stream, projection, one trace", async () => {
    const { stream, durable, subject } = await freshStream("e2e");
    const relay = createOutboxRelay({ sql: database.sql, js: nats.js, logger: silent });
    await relay.start();
    const calls: string[] = [];
    let handlerSpanId: string | undefined;
    const handler = tallyHandler(calls);
    await startRunner({
      stream,
      durable,
      handler: async (event, tx) => {
        handlerSpanId = trace.getActiveSpan()?.spanContext().spanId;
        await handler(event, tx);
      },
    });
    try {
      const producer = await tracing.tracer.startActiveSpan("complete transfer", async (span) => {
        try {
          const id = await database.db.transaction((tx) =>
            appendEvent(tx, { subject, schema: StringValueSchema, message: create(StringValueSchema, { value: "e2e" }) }),
          );
          return { id, context: span.spanContext() };
        } finally {
          span.end();
        }
      });
      await vi.waitFor(async () => expect(await tally("e2e"), "the event projected").toBe(1), { timeout: 5_000, interval: 20 });

      const consumerSpan = tracing.exporter.getFinishedSpans().find((span) => span.name === `process ${subject}`);
      expect(consumerSpan).toBeDefined();
      expect(consumerSpan!.kind).toBe(SpanKind.CONSUMER);
      expect(consumerSpan!.spanContext().traceId).toBe(producer.context.traceId);
      // Appended in the producer's span, published in the relay's span under it, applied under that.
      const publishSpan = tracing.exporter.getFinishedSpans().find((span) => span.name === `publish ${subject}`);
      expect(publishSpan?.parentSpanContext?.spanId).toBe(producer.context.spanId);
      expect(consumerSpan!.parentSpanContext?.spanId).toBe(publishSpan!.spanContext().spanId);
      expect(consumerSpan!.attributes["messaging.message.id"]).toBe(producer.id);
      expect(handlerSpanId).toBe(consumerSpan!.spanContext().spanId);
    } finally {
      await relay.stop();
      await database.db.delete(outbox);
    }
  });
});
