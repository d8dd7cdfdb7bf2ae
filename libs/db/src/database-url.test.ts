import { describe, expect, it } from "vitest";
import { databaseUrl } from "./database-url.js";

describe("databaseUrl", () => {
  it("swaps the database and keeps credentials, host, port and parameters", () => {
    expect(databaseUrl("postgres://app:s3cret@db.internal:6432/postgres?sslmode=require", "paymesh_ledger")).toBe(
      "postgres://app:s3cret@db.internal:6432/paymesh_ledger?sslmode=require",
    );
  });

  it("adds a database to a URL that has none", () => {
    expect(databaseUrl("postgres://postgres@127.0.0.1:5432", "paymesh_handles")).toBe("postgres://postgres@127.0.0.1:5432/paymesh_handles");
  });

  it.each(["", "1abc", "a-b", "a;drop", "x".repeat(64), 'q"uote'])("refuses %j", (name) => {
    expect(() => databaseUrl("postgres://postgres@127.0.0.1:5432/postgres", name)).toThrow(/invalid database name/);
  });
});
