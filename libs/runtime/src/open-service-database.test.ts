import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import * as schema from "../../events/test/schema.js";
import { createTestDatabase } from "../../testkit/src/create-test-database.js";
import { openServiceDatabase } from "./open-service-database.js";
import type { ServiceDefinition } from "./start-service.js";

const bareService: ServiceDefinition<typeof schema> = {
  name: "notifications",
  schema,
  migrationsFolder: fileURLToPath(new URL("../../events/test/migrations", import.meta.url)),
  setup: () => ({ services: [] }),
};

describe("openServiceDatabase", () => {
  it("opens the database the service would, migrated under the service's own table, and creates it only when asked", async () => {
    const scratch = await createTestDatabase();
    await scratch.drop();
    const env = { ...process.env, DATABASE_NAME: scratch.name };
    try {
      await expect(openServiceDatabase(bareService, { env })).rejects.toThrow(/does not exist/);
      const { config, database } = await openServiceDatabase(bareService, { env, create: true, applicationName: "notifications-test" });
      try {
        expect(config).toMatchObject({ service: "notifications", databaseName: scratch.name });
        const [session] = await database.sql`select current_database() as db, current_setting('application_name') as app`;
        expect(session).toEqual({ db: scratch.name, app: "notifications-test" });
        const tables =
          await database.sql`select table_schema, table_name from information_schema.tables where table_name like '%migrations%' or table_name = 'outbox'`;
        expect(tables.map((row) => `${row.table_schema}.${row.table_name}`).sort()).toEqual([
          "drizzle.__migrations_notifications",
          "public.outbox",
        ]);
      } finally {
        await database.close();
      }
    } finally {
      await scratch.drop();
    }
  });
});
