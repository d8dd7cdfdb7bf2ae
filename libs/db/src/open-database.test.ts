import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../testkit/src/create-test-database.js";
import * as schema from "../test/schema.js";
import { databaseUrl } from "./database-url.js";
import { openDatabase } from "./open-database.js";

const migrationsFolder = fileURLToPath(new URL("../test/migrations", import.meta.url));
let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb.drop();
});

describe("openDatabase", () => {
  it("applies the generated migrations into the service's own migrations table", async () => {
    const { db, sql, close } = await openDatabase({
      url: testDb.url,
      schema,
      migrationsFolder,
      migrationsTable: "__migrations_widgets",
    });
    try {
      await db.insert(schema.widgets).values({ id: 1, name: "gear" });
      expect(await db.select().from(schema.widgets)).toEqual([{ id: 1, name: "gear" }]);
      const applied = await sql`select hash from drizzle.__migrations_widgets`;
      expect(applied).toHaveLength(1);
    } finally {
      await close();
    }
  });

  it("lets several instances start at once, applying each migration once", async () => {
    const fresh = await createTestDatabase();
    try {
      const opened = await Promise.all(
        Array.from({ length: 4 }, () =>
          openDatabase({ url: fresh.url, schema, migrationsFolder, migrationsTable: "__migrations_widgets" }),
        ),
      );
      const [first] = opened;
      const applied = await first!.sql`select hash from drizzle.__migrations_widgets`;
      expect(applied).toHaveLength(1);
      await Promise.all(opened.map((database) => database.close()));
    } finally {
      await fresh.drop();
    }
  });

  it("creates the database first when asked to", async () => {
    const holder = await createTestDatabase();
    // A name no one created yet, on the same server; dropped through the holder's server afterwards.
    const url = databaseUrl(holder.url, `${holder.name}_ensured`);
    const { db, close } = await openDatabase({
      url,
      schema,
      ensure: true,
      migrationsFolder,
      migrationsTable: "__migrations_widgets",
    });
    try {
      expect(await db.select().from(schema.widgets)).toEqual([]);
    } finally {
      await close();
      const { sql: admin, close: closeAdmin } = await openDatabase({ url: holder.url, schema });
      await admin`drop database ${admin(`${holder.name}_ensured`)} with (force)`;
      await closeAdmin();
      await holder.drop();
    }
  });

  it("fails to open a missing database when not asked to create it", async () => {
    await expect(
      openDatabase({
        url: databaseUrl(testDb.url, `${testDb.name}_missing`),
        schema,
        migrationsFolder,
        migrationsTable: "__migrations_widgets",
      }),
    ).rejects.toThrow(/does not exist/);
  });
});
