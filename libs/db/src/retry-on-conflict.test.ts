import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { retryOnConflict } from "./retry-on-conflict.js";

const sql = postgres(process.env.POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres", { max: 4, onnotice: () => {} });

afterAll(async () => {
  await sql.end();
});

describe("retryOnConflict", () => {
  it("runs a transaction Postgres aborted as a deadlock victim again, until it commits", async () => {
    const table = `retry_on_conflict_${process.pid}`;
    await sql.unsafe(
      `drop table if exists ${table}; create table ${table} (id int primary key, n int); insert into ${table} values (1, 0), (2, 0)`,
    );
    try {
      // Two transactions lock the rows in opposite orders and meet in the middle: Postgres
      // aborts one with 40P01; retried, it runs after the other and both commit.
      let runs = 0;
      const crossing = (first: number, second: number) =>
        retryOnConflict(() => {
          runs++;
          return sql.begin(async (tx) => {
            await tx.unsafe(`update ${table} set n = n + 1 where id = $1`, [first]);
            await tx.unsafe("select pg_sleep(0.2)");
            await tx.unsafe(`update ${table} set n = n + 1 where id = $1`, [second]);
          });
        });
      await Promise.all([crossing(1, 2), crossing(2, 1)]);
      expect(runs).toBeGreaterThan(2);
      expect(await sql.unsafe(`select id, n from ${table} order by id`)).toEqual([
        { id: 1, n: 2 },
        { id: 2, n: 2 },
      ]);
    } finally {
      await sql.unsafe(`drop table if exists ${table}`);
    }
  });

  it("passes any other error through at once", async () => {
    let runs = 0;
    await expect(
      retryOnConflict(() => {
        runs++;
        return sql`select 1/0`;
      }),
    ).rejects.toThrow(/division by zero/);
    expect(runs).toBe(1);
  });
});
