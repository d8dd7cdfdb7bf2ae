import { createServer } from "node:net";
import { DrizzleQueryError } from "drizzle-orm/errors";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "./is-database-unavailable.js";

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const serverError = (code: string) => new postgres.PostgresError({ code, message: `server said ${code}` } as never);

describe("isDatabaseUnavailable", () => {
  it("answers true for a refused connection, as postgres.js reports it", async () => {
    const sql = postgres(`postgres://postgres@127.0.0.1:${await closedPort()}/postgres`, { max: 1, onnotice: () => {} });
    try {
      const error = await sql`select 1`.catch((caught: unknown) => caught);
      expect(isDatabaseUnavailable(error)).toBe(true);
    } finally {
      await sql.end({ timeout: 0 });
    }
  });

  it("answers true for a pool that was ended, as an instance that is stopping has", async () => {
    const sql = postgres("postgres://postgres@127.0.0.1:5432/postgres", { max: 1 });
    await sql.end();
    expect(isDatabaseUnavailable(await sql`select 1`.catch((caught: unknown) => caught))).toBe(true);
  });

  it.each(["57P01", "57P02", "57P03", "08000", "08003", "08006"])("answers true for SQLSTATE %s", (code) => {
    expect(isDatabaseUnavailable(serverError(code))).toBe(true);
  });

  it.each(["CONNECTION_CLOSED", "CONNECTION_DESTROYED", "CONNECT_TIMEOUT", "ECONNRESET"])("answers true for %s", (code) => {
    expect(isDatabaseUnavailable(Object.assign(new Error(`write ${code} 127.0.0.1:5432`), { code }))).toBe(true);
  });

  it("looks through drizzle's wrapping and through every address Node tried", () => {
    expect(isDatabaseUnavailable(new DrizzleQueryError("select 1", [], serverError("57P01")))).toBe(true);
    const refused = Object.assign(new Error("connect ECONNREFUSED ::1:5432"), { code: "ECONNREFUSED" });
    expect(isDatabaseUnavailable(new AggregateError([refused], "all attempts failed"))).toBe(true);
  });

  it.each([
    ["a unique violation", serverError("23505")],
    ["a serialization failure (the caller's own retry decides)", serverError("40001")],
    ["a protocol violation (a client bug, which trying again repeats)", serverError("08P01")],
    ["a plain error", new Error("boom")],
    ["a thrown string", "CONNECTION_CLOSED"],
  ])("answers false for %s", (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
