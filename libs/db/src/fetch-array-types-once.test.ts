import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { fetchArrayTypesOnce } from "./fetch-array-types-once.js";

const serverUrl = process.env.POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

describe("fetchArrayTypesOnce", () => {
  it("fetches the array types on one connection only, and every connection still parses arrays", async () => {
    const statements: string[] = [];
    const sql = postgres(serverUrl, { max: 3, onnotice: () => {}, debug: (_connection, query) => void statements.push(query) });
    try {
      await fetchArrayTypesOnce(sql);
      // Three at once need three connections, two of them new.
      const rows = await Promise.all(
        [1, 2, 3].map(
          () => sql<{ pid: number; numbers: number[] }[]>`select pg_backend_pid() as pid, array[1, 2]::int[] as numbers, pg_sleep(0.2)`,
        ),
      );
      expect(new Set(rows.map(([row]) => row!.pid)).size).toBe(3);
      for (const [row] of rows) expect(row!.numbers).toEqual([1, 2]);
      expect(statements.filter((statement) => statement.includes("pg_catalog.pg_type"))).toHaveLength(1);
    } finally {
      await sql.end();
    }
  });
});
