import { setTimeout as sleep } from "node:timers/promises";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../testkit/src/create-test-database.js";
import { guardTransactions } from "./guard-transactions.js";
import { isDatabaseUnavailable } from "./is-database-unavailable.js";

let testDb: TestDatabase;
let admin: postgres.Sql;
// One connection, so the one a test kills is the one the next query must reconnect: a connection
// left holding unsent bytes would hang that query until connect_timeout instead.
let sql: postgres.Sql;

beforeAll(async () => {
  testDb = await createTestDatabase();
  admin = postgres(testDb.url, { max: 1, onnotice: () => {} });
  await admin`create table notes (body text not null)`;
  sql = guardTransactions(postgres(testDb.url, { max: 1, connect_timeout: 3, onnotice: () => {} }));
});
afterAll(async () => {
  await sql?.end();
  await admin?.end();
  await testDb?.drop();
});

/**
 * The pool answers again at once. A poisoned connection would hang until connect_timeout (3 s)
 * and fail. One failure is allowed: postgres.js 3.4.9 keeps the dead session's FATAL
 * (57P01) and hands it to the first query of the reconnected one.
 */
async function expectPoolAnswers(): Promise<void> {
  await vi.waitFor(async () => expect(await sql`select 1 as one`).toEqual([{ one: 1 }]), { timeout: 2_000 });
}

/** Ends the server session behind `tx`, as a server shutdown or an operator would. */
async function killSession(tx: postgres.TransactionSql): Promise<void> {
  const [session] = await tx<{ pid: number }[]>`select pg_backend_pid() as pid`;
  await admin`select pg_terminate_backend(${session!.pid})`;
}

async function notes(): Promise<string[]> {
  return (await admin<{ body: string }[]>`select body from notes order by body`).map((row) => row.body);
}

describe("guardTransactions", () => {
  it("fails a transaction whose connection dies mid-statement, and the pool serves the next query", async () => {
    const outcome = sql.begin(async (tx) => {
      await tx`insert into notes values ('before the kill')`;
      const [session] = await tx<{ pid: number }[]>`select pg_backend_pid() as pid`;
      const sleeping = tx`select pg_sleep(30)`;
      // The kill lands while pg_sleep runs.
      setTimeout(() => admin`select pg_terminate_backend(${session!.pid})`.execute(), 100);
      await sleeping;
    });
    await expect(outcome).rejects.toSatisfy(isDatabaseUnavailable);
    // Unguarded, postgres.js would now ROLLBACK on the closed connection and throw from an
    // Immediate, failing this test file with an uncaught TypeError.
    await expectPoolAnswers();
    expect(await notes()).toEqual([]);
  });

  it("never sends the statements a callback issues after its connection died", async () => {
    const outcome = sql.begin(async (tx) => {
      await tx`insert into notes values ('in the lost transaction')`;
      await killSession(tx);
      // Something other than the database (the relay awaits NATS here) outlasts the connection.
      await sleep(200);
      await tx`insert into notes values ('after the loss')`;
    });
    await expect(outcome).rejects.toSatisfy(isDatabaseUnavailable);
    await expectPoolAnswers();
    // Neither the first insert (the server rolled it back) nor the second (never sent) is there.
    expect(await notes()).toEqual([]);
  });

  it("does not commit a callback that returns after its connection died", async () => {
    const outcome = sql.begin(async (tx) => {
      await tx`insert into notes values ('returned late')`;
      await killSession(tx);
      await sleep(200);
      return "done";
    });
    await expect(outcome).rejects.toSatisfy(isDatabaseUnavailable);
    await expectPoolAnswers();
    expect(await notes()).toEqual([]);
  });

  it("guards a savepoint's statements the same way", async () => {
    const outcome = sql.begin(async (tx) => {
      await tx.savepoint(async (inner) => {
        await inner`insert into notes values ('in a savepoint')`;
        await killSession(tx);
        await sleep(200);
        await inner`insert into notes values ('after the loss, in a savepoint')`;
      });
    });
    await expect(outcome).rejects.toSatisfy(isDatabaseUnavailable);
    await expectPoolAnswers();
    expect(await notes()).toEqual([]);
  });

  it("rolls back as usual when the callback fails with a connection error from elsewhere", async () => {
    // E.g. a query on another pool inside the callback: this transaction's connection is fine.
    const elsewhere = Object.assign(new Error("write CONNECTION_CLOSED 10.0.0.9:5432"), { code: "CONNECTION_CLOSED" });
    await expect(
      sql.begin(async (tx) => {
        await tx`insert into notes values ('rolled back')`;
        throw elsewhere;
      }),
    ).rejects.toBe(elsewhere);
    expect(await sql`select 1 as one`).toEqual([{ one: 1 }]);
    expect(await notes()).toEqual([]);
  });

  it("leaves working transactions alone: commits, rolls back on the callback's own error, and rolls back to a savepoint", async () => {
    expect(await sql.begin(async (tx) => (await tx`insert into notes values ('committed') returning body`)[0]!.body)).toBe("committed");
    const refused = new Error("refused by the callback");
    await expect(
      sql.begin(async (tx) => {
        await tx`insert into notes values ('rolled back')`;
        throw refused;
      }),
    ).rejects.toBe(refused);
    await sql.begin(async (tx) => {
      await tx`insert into notes values ('kept beside a savepoint')`;
      await tx
        .savepoint(async (inner) => {
          await inner`insert into notes values ('rolled back to the savepoint')`;
          throw refused;
        })
        .catch(() => {});
    });
    const [counted] = await sql.begin("read only", (tx) => tx<{ n: number }[]>`select count(*)::int as n from notes`);
    expect(counted!.n).toBe(2);
    expect(await notes()).toEqual(["committed", "kept beside a savepoint"]);
    await admin`truncate notes`;
  });
});
