import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { ensureDatabase } from "./ensure-database.js";

const serverUrl = process.env.POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const name = `test_${randomBytes(6).toString("hex")}`;
const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });

afterAll(async () => {
  await admin`drop database if exists ${admin(name)} with (force)`;
  await admin.end();
});

describe("ensureDatabase", () => {
  it("creates a missing database once, even when several callers race", async () => {
    const results = await Promise.all(Array.from({ length: 6 }, () => ensureDatabase(serverUrl, name)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const rows = await admin`select 1 from pg_database where datname = ${name}`;
    expect(rows).toHaveLength(1);
  });

  it("answers false for a database that exists", async () => {
    expect(await ensureDatabase(serverUrl, name)).toBe(false);
  });

  it("refuses a name that is not a plain identifier before connecting", async () => {
    await expect(ensureDatabase("postgres://nobody@127.0.0.1:1/postgres", "bad-name")).rejects.toThrow(/invalid database name/);
  });
});
