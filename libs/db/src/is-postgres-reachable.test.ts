import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { databaseUrl } from "./database-url.js";
import { isPostgresReachable } from "./is-postgres-reachable.js";

const serverUrl = process.env.POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

describe("isPostgresReachable", () => {
  it("answers true for the local server", async () => {
    expect(await isPostgresReachable(serverUrl)).toBe(true);
  });

  it("answers false for a database that does not exist", async () => {
    expect(await isPostgresReachable(databaseUrl(serverUrl, "no_such_database_here"))).toBe(false);
  });

  it("answers false within its timeout when the server accepts but never speaks", async () => {
    // A listener that accepts and stays silent is what a hung server or a black-holed port looks like.
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as { port: number };
    try {
      const started = Date.now();
      expect(await isPostgresReachable(`postgres://postgres@127.0.0.1:${port}/postgres`, { timeoutMs: 300 })).toBe(false);
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      silent.close();
    }
  });
});
