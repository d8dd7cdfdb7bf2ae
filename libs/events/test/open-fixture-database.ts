import { fileURLToPath } from "node:url";
import { type Database, openDatabase } from "@paymesh/db";
import { createTestDatabase } from "../../testkit/src/create-test-database.js";
import * as schema from "./schema.js";

/** A fresh database migrated with this fixture's generated migrations, plus a way to drop it. */
export type FixtureDatabase = Database<typeof schema> & { url: string; drop(): Promise<void> };

/** Creates a throwaway database, applies the fixture's drizzle-kit migrations and opens it. */
export async function openFixtureDatabase(): Promise<FixtureDatabase> {
  const testDb = await createTestDatabase();
  const database = await openDatabase({
    url: testDb.url,
    schema,
    migrationsFolder: fileURLToPath(new URL("./migrations", import.meta.url)),
    migrationsTable: "__migrations_events_test",
  });
  return {
    ...database,
    url: testDb.url,
    async drop() {
      await database.close();
      await testDb.drop();
    },
  };
}
