import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type FixtureDatabase, openFixtureDatabase } from "../test/open-fixture-database.js";
import { pruneEventTables } from "./prune-event-tables.js";

const HOUR_MS = 3_600_000;

let database: FixtureDatabase;

beforeAll(async () => {
  database = await openFixtureDatabase();
});
afterAll(async () => {
  await database.drop();
});
beforeEach(async () => {
  await database.sql`delete from outbox`;
  await database.sql`delete from processed_events`;
});

/** An outbox row created `createdAgo` ago and published `publishedAgo` ago (never, when null). */
async function outboxRow(createdAgo: string, publishedAgo: string | null): Promise<string> {
  const id = randomUUID();
  await database.sql`
    insert into outbox (id, subject, type, payload, created_at, published_at)
    values (${id}, 'paymesh.test.pruned', 'google.protobuf.StringValue', '\\x00'::bytea,
            now() - ${createdAgo}::interval,
            case when ${publishedAgo}::interval is null then null else now() - ${publishedAgo}::interval end)`;
  return id;
}

async function processedRow(consumer: string, ago: string): Promise<string> {
  const id = randomUUID();
  await database.sql`insert into processed_events (consumer, event_id, processed_at) values (${consumer}, ${id}, now() - ${ago}::interval)`;
  return id;
}

const outboxIds = async () => (await database.sql<{ id: string }[]>`select id from outbox order by id`).map((row) => row.id).sort();
const processedIds = async () =>
  (await database.sql<{ event_id: string }[]>`select event_id from processed_events`).map((row) => row.event_id).sort();

describe("pruneEventTables", () => {
  it("deletes published outbox rows past their retention and keeps recent and unpublished ones, however old", async () => {
    await outboxRow("3 hours", "2 hours");
    await outboxRow("2 days", "2 days");
    const recent = await outboxRow("2 hours", "1 minute");
    const stuck = await outboxRow("30 days", null);
    const pruned = await pruneEventTables(database.sql, { outboxRetentionMs: HOUR_MS, processedEventsRetentionMs: HOUR_MS });
    expect(pruned.outbox).toBe(2);
    expect(await outboxIds()).toEqual([recent, stuck].sort());
  });

  it("with a retention of 0, deletes every published row at once and still no unpublished one", async () => {
    await outboxRow("1 second", "0 seconds");
    await outboxRow("1 minute", "30 seconds");
    const waiting = await outboxRow("0 seconds", null);
    await pruneEventTables(database.sql, { outboxRetentionMs: 0, processedEventsRetentionMs: HOUR_MS });
    expect(await outboxIds()).toEqual([waiting]);
  });

  it("deletes processed_events rows past their retention, for every consumer, and keeps recent ones", async () => {
    await processedRow("statements", "8 days");
    await processedRow("history", "8 days");
    await processedRow("history", "7 days 1 minute");
    const recent = [await processedRow("statements", "6 days"), await processedRow("history", "1 minute")];
    const pruned = await pruneEventTables(database.sql, { outboxRetentionMs: HOUR_MS, processedEventsRetentionMs: 7 * 24 * HOUR_MS });
    expect(pruned).toEqual({ outbox: 0, processedEvents: 3 });
    expect(await processedIds()).toEqual(recent.sort());
  });

  it("works through a backlog in bounded batches, and a capped call leaves the rest to the next", async () => {
    for (let i = 0; i < 25; i += 1) {
      await outboxRow("2 hours", "2 hours");
      await processedRow("statements", "2 hours");
    }
    const options = { outboxRetentionMs: HOUR_MS, processedEventsRetentionMs: HOUR_MS, batchSize: 10 };
    expect(await pruneEventTables(database.sql, { ...options, maxBatches: 2 })).toEqual({ outbox: 20, processedEvents: 20 });
    expect(await pruneEventTables(database.sql, options)).toEqual({ outbox: 5, processedEvents: 5 });
    expect(await outboxIds()).toEqual([]);
    expect(await processedIds()).toEqual([]);
  });
});
