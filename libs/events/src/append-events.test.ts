import { create, fromBinary } from "@bufbuild/protobuf";
import { Int32ValueSchema, StringValueSchema } from "@bufbuild/protobuf/wkt";
import { asc } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { installTestTracing, type TestTracing } from "../test/install-test-tracing.js";
import { type FixtureDatabase, openFixtureDatabase } from "../test/open-fixture-database.js";
import { outbox } from "../test/schema.js";
import { appendEvent } from "./append-event.js";
import { appendEvents } from "./append-events.js";
import { OUTBOX_CHANNEL } from "./outbox-channel.js";

let database: FixtureDatabase;
let tracing: TestTracing;

beforeAll(async () => {
  tracing = installTestTracing();
  database = await openFixtureDatabase();
});
afterAll(async () => {
  await database.drop();
  tracing.uninstall();
});

const greeting = (value: string) => create(StringValueSchema, { value });

describe("appendEvents", () => {
  it("writes the events in the caller's transaction with type, payload and the active trace context", async () => {
    const ids = await tracing.tracer.startActiveSpan("transfer", async (span) => {
      try {
        return await database.db.transaction((tx) =>
          appendEvents(tx, [
            { subject: "paymesh.test.greeted", schema: StringValueSchema, message: greeting("hello") },
            { subject: "paymesh.test.counted", schema: Int32ValueSchema, message: create(Int32ValueSchema, { value: 7 }) },
          ]),
        );
      } finally {
        span.end();
      }
    });
    const [span] = tracing.exporter.getFinishedSpans();
    const rows = await database.db.select().from(outbox).orderBy(asc(outbox.id));

    expect(rows.map((row) => row.id)).toEqual(ids);
    expect(rows.map((row) => [row.subject, row.type])).toEqual([
      ["paymesh.test.greeted", "google.protobuf.StringValue"],
      ["paymesh.test.counted", "google.protobuf.Int32Value"],
    ]);
    expect(fromBinary(StringValueSchema, rows[0]!.payload).value).toBe("hello");
    expect(fromBinary(Int32ValueSchema, rows[1]!.payload).value).toBe(7);
    const { traceId, spanId } = span!.spanContext();
    expect(rows[0]!.headers).toEqual({ traceparent: `00-${traceId}-${spanId}-01` });
    expect(rows.every((row) => row.publishedAt === null && row.attempts === 0)).toBe(true);
    await database.db.delete(outbox);
  });

  it("mints time-ordered UUIDv7 ids, and keeps a given id", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 20; i += 1) {
      ids.push(
        await database.db.transaction((tx) =>
          appendEvent(tx, { subject: "paymesh.test.greeted", schema: StringValueSchema, message: greeting(`${i}`) }),
        ),
      );
    }
    expect(ids.every((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/.test(id))).toBe(true);
    expect([...ids].sort()).toEqual(ids);

    const given = "0190b2f0-0000-7000-8000-000000000001";
    const kept = await database.db.transaction((tx) =>
      appendEvent(tx, { id: given, subject: "paymesh.test.greeted", schema: StringValueSchema, message: greeting("x") }),
    );
    expect(kept).toBe(given);
    await database.db.delete(outbox);
  });

  it("carries no trace headers when no span is active", async () => {
    await database.db.transaction((tx) =>
      appendEvent(tx, { subject: "paymesh.test.greeted", schema: StringValueSchema, message: greeting("quiet") }),
    );
    const [row] = await database.db.select().from(outbox);
    expect(row!.headers).toEqual({});
    await database.db.delete(outbox);
  });

  it("notifies the relay's channel on commit only, never for a rolled-back transaction", async () => {
    const notifications: string[] = [];
    const listening = await database.sql.listen(OUTBOX_CHANNEL, (payload) => notifications.push(payload));
    try {
      await expect(
        database.db.transaction(async (tx) => {
          await appendEvent(tx, { subject: "paymesh.test.greeted", schema: StringValueSchema, message: greeting("doomed") });
          throw new Error("business rule failed");
        }),
      ).rejects.toThrow("business rule failed");
      await database.db.transaction((tx) =>
        appendEvent(tx, { subject: "paymesh.test.greeted", schema: StringValueSchema, message: greeting("kept") }),
      );
      // Notifications arrive in commit order, so once the committed one is here, any from the
      // rolled-back transaction would already have arrived.
      await vi.waitFor(() => expect(notifications.length, "the commit's notification").toBeGreaterThanOrEqual(1), {
        timeout: 5_000,
        interval: 20,
      });
      expect(notifications).toEqual([""]);
      const rows = await database.db.select().from(outbox);
      expect(rows.map((row) => fromBinary(StringValueSchema, row.payload).value)).toEqual(["kept"]);
    } finally {
      await listening.unlisten();
      await database.db.delete(outbox);
    }
  });

  it("refuses a subject with wildcards or empty tokens, appending nothing", async () => {
    for (const subject of ["paymesh.test.*", "paymesh..greeted", "paymesh", "paymesh.test.>"]) {
      await expect(
        database.db.transaction((tx) => appendEvent(tx, { subject, schema: StringValueSchema, message: greeting("x") })),
      ).rejects.toThrow(/invalid event subject/);
    }
    expect(await database.db.select().from(outbox)).toEqual([]);
  });

  it("checks at compile time that each message matches its schema", () => {
    const typeOnly = (tx: Parameters<Parameters<typeof database.db.transaction>[0]>[0]) =>
      appendEvents(tx, [
        // @ts-expect-error an Int32Value is not a StringValue
        { subject: "paymesh.test.greeted", schema: StringValueSchema, message: create(Int32ValueSchema, { value: 1 }) },
      ]);
    expect(typeof typeOnly).toBe("function");
  });
});
