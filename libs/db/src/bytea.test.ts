import { eq } from "drizzle-orm";
import { integer, pgTable } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../testkit/src/create-test-database.js";
import { bytea } from "./bytea.js";
import { type Database, openDatabase } from "./open-database.js";

const blobs = pgTable("blobs", { id: integer("id").primaryKey(), data: bytea("data").notNull() });

let testDb: TestDatabase;
let database: Database<{ blobs: typeof blobs }>;

beforeAll(async () => {
  testDb = await createTestDatabase();
  database = await openDatabase({ url: testDb.url, schema: { blobs } });
  await database.sql`create table blobs (id integer primary key, data bytea not null)`;
});
afterAll(async () => {
  await database?.close();
  await testDb?.drop();
});

describe("bytea", () => {
  it("declares a bytea column", () => {
    expect(blobs.data.getSQLType()).toBe("bytea");
  });

  it("stores every byte value and gives back the same bytes, NUL and high bytes included", async () => {
    const every = Uint8Array.from({ length: 256 }, (_, i) => i);
    await database.db.insert(blobs).values([
      { id: 1, data: every },
      { id: 2, data: new Uint8Array() },
    ]);
    const [row] = await database.db.select().from(blobs).where(eq(blobs.id, 1));
    expect(Buffer.from(row!.data).equals(Buffer.from(every))).toBe(true);
    const [empty] = await database.db.select().from(blobs).where(eq(blobs.id, 2));
    expect(empty!.data).toHaveLength(0);
    expect(await database.sql`select octet_length(data)::int as n from blobs where id = 1`).toEqual([{ n: 256 }]);
  });
});
