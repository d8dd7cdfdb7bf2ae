import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { createTestDatabase } from "./create-test-database.js";

const serverUrl = process.env.POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

async function databaseExists(name: string): Promise<boolean> {
  const sql = postgres(serverUrl, { max: 1 });
  try {
    return (await sql`select 1 from pg_database where datname = ${name}`).length === 1;
  } finally {
    await sql.end();
  }
}

describe("createTestDatabase", () => {
  it("creates a distinct, usable database each time", async () => {
    const [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    try {
      expect(a.name).toMatch(/^test_[0-9a-f]{12}$/);
      expect(a.name).not.toBe(b.name);
      const sql = postgres(a.url, { max: 1 });
      const [row] = await sql<{ current: string }[]>`select current_database() as current`;
      await sql.end();
      expect(row?.current).toBe(a.name);
    } finally {
      await Promise.all([a.drop(), b.drop()]);
    }
  });

  it("drop removes the database even while a connection is still open", async () => {
    const database = await createTestDatabase();
    const forgotten = postgres(database.url, { max: 1 });
    await forgotten`select 1`;
    await database.drop();
    expect(await databaseExists(database.name)).toBe(false);
    await forgotten.end({ timeout: 0 }).catch(() => {});
  });
});
