import { create, type DescMessage, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { type Database, openDatabase } from "@paymesh/db";
import type { ReceivedEvent } from "@paymesh/events";
import { TransferCompletedSchema, TransferInitiatedSchema } from "@paymesh/gen/paymesh/transfers/v1/events_pb";
import { TransferSchema, TransferStatus } from "@paymesh/gen/paymesh/transfers/v1/transfers_pb";
import { createTestDatabase, type TestDatabase } from "@paymesh/testkit";
import { v7 as uuidv7 } from "uuid";
import { afterAll, beforeAll, expect, it } from "vitest";
import { applyHistoryEvent, applyHistoryEvents } from "./apply-history-event.js";
import * as schema from "./schema.js";

let testDb: TestDatabase;
let database: Database<typeof schema>;

beforeAll(async () => {
  testDb = await createTestDatabase();
  database = await openDatabase({
    url: testDb.url,
    schema,
    migrationsFolder: new URL("../drizzle", import.meta.url).pathname,
    migrationsTable: "__migrations_transfers",
  });
});

afterAll(async () => {
  await database?.close();
  await testDb?.drop();
});

const transfer = (id: string, status: TransferStatus) =>
  create(TransferSchema, {
    id,
    payer: "ann",
    payee: "ben",
    fromAccountId: "0190a6a0-0000-7000-8000-000000000001",
    toAccountId: "0190a6a0-0000-7000-8000-000000000002",
    toHandle: "@ben",
    amount: 9_007_199_254_740_993n,
    currency: "USD",
    status,
    entryId: uuidv7(),
    createTime: timestampFromDate(new Date("2026-12-01T10:00:00Z")),
    updateTime: timestampFromDate(new Date("2026-12-01T10:00:01Z")),
  });

function eventOf<Desc extends DescMessage>(schema: Desc, init: MessageInitShape<Desc>): ReceivedEvent {
  return {
    id: uuidv7(),
    type: schema.typeName,
    subject: "test.transfers.event",
    payload: toBinary(schema, create(schema, init)),
    headers: {},
    deliveries: 1,
    streamSequence: 1,
  };
}

it("applies a group as its events would one by one: settled wins over initiated, for payer and payee, exactly", async () => {
  const settled = uuidv7();
  const open = uuidv7();
  const initiated = (id: string) => eventOf(TransferInitiatedSchema, { transfer: transfer(id, TransferStatus.INITIATED) });
  const completed = (id: string) => eventOf(TransferCompletedSchema, { transfer: transfer(id, TransferStatus.COMPLETED) });
  await database.db.transaction((tx) => applyHistoryEvents([initiated(settled), completed(settled), initiated(open)], tx));
  // A late, replayed TransferInitiated never turns a settled row back.
  await database.db.transaction((tx) => applyHistoryEvent(initiated(settled), tx));

  const rows = await database.db.select().from(schema.transferHistory);
  const statusOf = (id: string) =>
    rows
      .filter((row) => row.transferId === id)
      .map((row) => `${row.participant} ${row.status}`)
      .sort();
  expect(statusOf(settled)).toEqual(["ann completed", "ben completed"]);
  expect(statusOf(open)).toEqual(["ann initiated", "ben initiated"]);
  expect(rows.every((row) => row.amount === 9_007_199_254_740_993n && row.toHandle === "@ben")).toBe(true);
  expect(rows.find((row) => row.transferId === settled)?.updatedAt).toEqual(new Date("2026-12-01T10:00:01Z"));
});
